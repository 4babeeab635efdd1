"""Entry extraction from live-blog pages: JSON-LD, common HTML markups and CSS profiles."""

from connectors.sources.http.extract.model import ExtractedEntry, Extraction
from connectors.sources.http.extract.page import extract_page
from connectors.sources.http.extract.profile import Profile, builtin_profiles, load_profile

__all__ = [
    "ExtractedEntry",
    "Extraction",
    "Profile",
    "builtin_profiles",
    "extract_page",
    "load_profile",
]
