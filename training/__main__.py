"""`python -m training`: fit the speaker ranker and write its model and cross-validation report."""

from training.ranker import main

raise SystemExit(main())
