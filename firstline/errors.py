import re

from django.utils.translation import gettext as _


class RuleViolation(Exception):
    """A business refusal. The API answers `status` with {"error": code, "detail": detail};
    HTML views show `detail` on the form."""

    status = 409

    def __init__(self, code: str, detail: str, *, status: int | None = None, field: str = "",
                 errors: dict | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = str(detail)
        self.field = field
        # Every field's refusal when a form's fields were checked together ({field: text});
        # `code`, `field` and `detail` stay the first one's.
        self.errors = {k: str(v) for k, v in (errors or {field: detail}).items()}
        if status is not None:
            self.status = status


class InvalidInput(RuleViolation):
    """Input that is well-formed JSON but wrong (a date in the past, an unknown code...)."""

    status = 422


def choice_check(value, choices, field: str, *, code: str = "invalid") -> None:
    """A 422 naming `field` and its choices unless `value` is one of them (a filter's typo is
    said, not answered with an empty list). `code`: the API's error code, when a caller has
    its own ("bad_status")."""
    if value not in choices:
        raise InvalidInput(code, _("%(field)s must be one of: %(v)s.")
                           % {"field": field, "v": ", ".join(choices)}, field=field)


def form_refuse(form, exc: RuleViolation, *, fields: dict | None = None) -> None:
    """Show a service's refusal on an HTML form: next to the field it names (`fields` maps the
    service's name of a field to the form's where they differ, e.g. {"target_id": "target"}),
    else at the top of the form. The one way views put a RuleViolation on a page."""
    fields = fields or {}
    for field, detail in exc.errors.items():
        name = fields.get(field, field)
        form.add_error(name if name in form.fields else None, _in_words(form, detail, fields))


def _in_words(form, detail: str, fields: dict) -> str:
    """A service's message names fields as the API does ("ends_at must be after starts_at",
    "quantity: …"); on a page they are the labels the user sees. Replaced: a code name with an
    underscore anywhere, a plain one only where it opens the message (a word like "to" or
    "name" inside a sentence is left alone)."""
    names = {**fields, **{n: n for n in form.fields}}
    for api, form_name in sorted(names.items(), key=lambda kv: -len(kv[0])):
        if form_name not in form.fields:
            continue
        label = str(form.fields[form_name].label or form_name)
        where = (rf"(?<![\w]){re.escape(api)}(?![\w])" if "_" in api
                 else rf"^{re.escape(api)}(?=[\s:：])")
        detail = re.sub(where, lambda _m, label=label: label, detail)
    return detail


def check_all(**parsers) -> dict:
    """Every field checked, in the order given ({field: parse()}): their values, or one
    InvalidInput naming every refused field (all_or_first: the page shows each error beside its
    field at once; the API answers the first, in this order)."""
    errors, values = {}, {}
    for field, parse in parsers.items():
        try:
            values[field] = parse()
        except InvalidInput as exc:
            errors[field] = exc
    all_or_first(errors)
    return values


def all_or_first(errors: dict) -> None:
    """Raise the InvalidInputs collected in `errors` ({field: InvalidInput}) as one: the first's
    code, field and detail, with every field's message (a form shows them all at once)."""
    if errors:
        first = next(iter(errors.values()))
        raise InvalidInput(first.code, first.detail, field=first.field,
                           errors={f: e.detail for f, e in errors.items()})
