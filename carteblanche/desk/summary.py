"""The desk's summary as text, for an e-mail or SMS (the printed page is desk/print.html). Pure module.

Reads the same context the printed summary reads (desk.views._result_context): needs and who handles
them, the first options of the plan, likely rights and where to claim them, other rights to claim.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carteblanche.core import sms

SMS_MAX = 4


def _claims(context: Mapping[str, Any]) -> list[str]:
    lines = []
    for claim in context.get("need_claims") or []:
        body = claim.get("own_body") or ", ".join(claim.get("bodies") or [])
        online = f" En ligne : {claim['online']}" if claim.get("online") else ""
        lines.append(f"{claim['label']} : {body}.{online}")
    return lines


def _rights(context: Mapping[str, Any]) -> list[str]:
    rights = context.get("rights") or {}
    lines = []
    for benefit in rights.get("likely") or []:
        amount = ""
        if benefit.get("kind") == "amount":
            amount = f" : environ {benefit['amount']:.0f} € ({benefit['periodicity']})"
        where = getattr(benefit.get("plan"), "operator_name", "")
        lines.append(f"{benefit['label']}{amount}." + (f" Où la demander : {where}." if where else ""))
    return lines


def summary_email_text(context: Mapping[str, Any]) -> str:
    """The whole summary in words: what the person can do, her rights and where to claim, documents."""
    parts = ["Bonjour,", "", f"Voici la synthèse de votre rendez-vous. Pour : {context.get('needs_text', '')}.", ""]
    parts += _claims(context)
    options = (context.get("plan") or {}).get("options") or []
    if options:
        parts += ["", "Ce que vous pouvez faire :"]
        parts += [
            f"{i}. {o.get('title', '')} — {o.get('how', '')} — {o.get('when', '')}"
            for i, o in enumerate(options[:3], 1)
        ]
    rights = _rights(context)
    if rights:
        parts += ["", "Vos droits probables :", *rights]
    for aid in (context.get("rights") or {}).get("national_rights") or []:
        parts += ["", f"{aid['name']} : {aid['how_to_claim']}"]
    documents = context.get("documents") or []
    if documents:
        parts += ["", "Documents à apporter : " + ", ".join(documents[:8]) + "."]
    parts += ["", "Estimation sans valeur de décision : l'organisme qui paie décide."]
    parts += ["", "Ce message part d'une adresse qui ne lit pas les réponses."]
    return "\n".join(parts) + "\n"


def summary_sms(context: Mapping[str, Any]) -> list[str]:
    """At most SMS_MAX messages: who handles each need, then the likely rights' names, then the other
    rights' claim address; what does not fit is left out (the printed summary has it all)."""
    head = ["Carte Blanche, votre synthèse."]
    claims = _claims(context)
    rights = (context.get("rights") or {}).get("likely") or []
    names = [f"Droits probables : {', '.join(b['label'] for b in rights)}."] if rights else []
    national = [
        f"{aid['name']} : {aid.get('claim_url') or aid['how_to_claim']}"
        for aid in (context.get("rights") or {}).get("national_rights") or []
    ]
    for body in (claims + names + national, claims + names, claims, claims[:1]):
        try:
            return sms.pack(sms.to_gsm7(" ".join(head + body)), max_messages=SMS_MAX)
        except sms.MessageTooLong:
            continue
    raise sms.MessageTooLong("La synthèse ne tient pas en SMS : imprimez-la ou envoyez-la par e-mail.")
