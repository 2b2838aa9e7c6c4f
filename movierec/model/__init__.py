"""The network and what a trained model is made of: tables and forward pass, the suggestion ranker, saved files."""
