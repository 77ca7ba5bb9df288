"""Template hygiene that no page test would notice until a user does."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "firstline"


def test_no_comment_spans_lines():
    """Django's {# ... #} comments are one line only: a two-line one is printed on the page
    (it was, on every page, for a while)."""
    bad = []
    for path in ROOT.rglob("templates/**/*.html"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "{#" in line and "#}" not in line.split("{#", 1)[1]:
                bad.append(f"{path.relative_to(ROOT)}:{n}")
    assert not bad, f"use {{% comment %}} for comments over several lines: {bad}"


def test_home_page_shows_no_template_syntax(cast, client):
    client.force_login(cast.hq)
    html = client.get("/").content.decode()
    assert "{#" not in html and "{%" not in html


def test_no_inline_event_handler():
    """The CSP (script-src 'self') refuses onchange="…" and the like: the element silently does
    nothing (the area picker of the disinfection board did). Use data-autosubmit,
    data-confirm or a script file."""
    import re

    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
    bad = [f"{path.relative_to(ROOT)}:{n}"
           for path in ROOT.rglob("templates/**/*.html")
           for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
           if handler.search(line)]
    assert not bad


def test_field_names_its_error_and_hint_for_screen_readers():
    """A refused field's input says which text describes it (Django writes aria-describedby
    "<id>_helptext <id>_error"); _field.html must give those ids to the hint and the error it
    shows, or a screen reader reads "invalid" with no reason."""
    import re

    from django import forms
    from django.template.loader import render_to_string

    class Form(forms.Form):
        day = forms.DateField(label="Day", help_text="as 2026-12-07")

    field = Form(data={"day": "2026-02-30"})["day"]
    html = render_to_string("_field.html", {"field": field})
    described = re.search(r'aria-describedby="([^"]+)"', html).group(1).split()
    assert described == ["id_day_helptext", "id_day_error"]
    for ref in described:
        element = re.search(rf'<span[^>]* id="{ref}"[^>]*>([^<]+)</span>', html)
        assert element and element.group(1).strip(), f"{ref} names nothing on the page"
    assert 'aria-invalid="true"' in html
