def encode_runs(s: str) -> str:
    pass
