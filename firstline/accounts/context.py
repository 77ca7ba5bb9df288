from .nav import nav_items
from .scope import user_perms

# Short labels for the language switch (a phone's top bar has room for three small buttons);
# the full native name is the button's title.
LANGUAGE_CHOICES = [("zh-hans", "简", "简体中文"), ("zh-hant", "繁", "繁體中文"), ("en", "EN", "English")]


def navigation(request):
    context = {"language_choices": LANGUAGE_CHOICES}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    assignments = list(user.assignments.select_related("area"))
    context.update({
        "nav": nav_items(user),
        "perms_set": user_perms(user),
        "my_roles": sorted({str(a.get_role_display()) for a in assignments}),
        "my_areas": [a.area for a in assignments],
    })
    return context
