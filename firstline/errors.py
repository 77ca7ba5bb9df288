from django.utils.translation import gettext as _


class RuleViolation(Exception):
    """A business refusal. The API answers `status` with {"error": code, "detail": detail};
    HTML views show `detail` on the form."""

    status = 409

    def __init__(self, code: str, detail: str, *, status: int | None = None, field: str = ""):
        super().__init__(detail)
        self.code = code
        self.detail = str(detail)
        self.field = field
        if status is not None:
            self.status = status


class InvalidInput(RuleViolation):
    """Input that is well-formed JSON but wrong (a date in the past, an unknown code...)."""

    status = 422


def choice_check(value, choices, field: str) -> None:
    """A 422 naming `field` and its choices unless `value` is one of them (a filter's typo is
    said, not answered with an empty list)."""
    if value not in choices:
        raise InvalidInput("invalid", _("%(field)s must be one of: %(v)s.")
                           % {"field": field, "v": ", ".join(choices)}, field=field)


def form_refuse(form, exc: RuleViolation, *, fields: dict | None = None) -> None:
    """Show a service's refusal on an HTML form: next to the field it names (`fields` maps the
    service's name of a field to the form's where they differ, e.g. {"target_id": "target"}),
    else at the top of the form. The one way views put a RuleViolation on a page."""
    name = (fields or {}).get(exc.field, exc.field)
    form.add_error(name if name in form.fields else None, exc.detail)
