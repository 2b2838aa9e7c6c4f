"""Looking inside a trained model: projections of the movie embeddings, neighbours, axes and biases."""
