"""Using a trained model: folding a person's ratings in, ordering suggestions and saying why."""
