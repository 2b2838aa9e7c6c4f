"""Training a network: the epoch loop, batches, optimisers, the schedule, and sizing a run before it starts."""
