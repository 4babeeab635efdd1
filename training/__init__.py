"""Training what the product learns from labelled text: `make train` (`python -m training`).

Developer tooling above every layer of the product (it replays blogs through the real stages);
it needs scikit-learn, from the `dev` extra. The product reads only what it writes
(`streams/attribution/model.json`).
"""
