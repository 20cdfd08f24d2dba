class Progress:
    """Where the seeding reports progress: `stage` announces a part and its size, `begin` starts its clock,
    `advance` counts rows done. The command draws it with rich; tests use this silent one."""

    def stage(self, name: str, total: int) -> None:
        pass

    def begin(self, name: str) -> None:
        pass

    def advance(self, name: str, amount: int) -> None:
        pass
