"""The benchmarks behind ``python -m movierec bench``: accuracy, fold-in, ranking, scale and embeddings."""
