"""Specific errors, raised deep and caught at the edges (CLI, bulk runner)."""


class KgError(Exception):
    """Base of every error kg reports to a user."""


class RecordError(KgError):
    """A record cannot be mapped at all (not a study, no NCT id).

    Carries where the record came from and which field is at fault so that a bulk run can print
    one line and carry on with the next record.
    """

    def __init__(self, message: str, *, origin: str = "", nct_id: str = "", field: str = ""):
        super().__init__(message)
        self.origin = origin
        self.nct_id = nct_id
        self.field = field

    def line(self) -> str:
        """One line naming the file, the NCT id and the field, for standard error."""
        parts = [p for p in (self.origin, self.nct_id, self.field) if p]
        return f"{': '.join(parts)}: {self}" if parts else str(self)
