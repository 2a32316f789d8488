"""Procedures done with an agent at the desk: the France Services activity indicator."""

from django.conf import settings
from django.db import models


class Procedure(models.Model):
    """One procedure done with the person (what, for which body). No identity: only an optional case link."""

    structure = models.ForeignKey("directory.Structure", on_delete=models.PROTECT, related_name="desk_procedures")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    need = models.ForeignKey("directory.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    theme = models.CharField("thème", max_length=200, help_text="Label of the need at the time (stable counts).")
    body = models.CharField("organisme", max_length=200)
    what = models.CharField("démarche faite", max_length=300)
    done_on = models.DateField("date")
    case = models.ForeignKey(
        "referrals.CaseFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="desk_procedures"
    )
    mandate = models.ForeignKey(
        "mandates.Mandate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_procedures",
        help_text="The mandate the procedure was done under (the act is also journaled with it).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["structure", "done_on"])]
        ordering = ["-done_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.done_on} {self.theme} — {self.body}"
