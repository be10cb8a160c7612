"""The step pipeline: typed step configs and ids, the intermediate/target training step and the evaluation step
(VERSION beside each), locks, executors (local, Ray), pruning, results documents, costs, preflight, the plan.
Depends on experiments/, data/, evaluation/, training/."""
