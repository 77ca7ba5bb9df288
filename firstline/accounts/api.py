
from django.utils.translation import gettext as _
from ninja import Router, Schema

from firstline.apitypes import IsoDateTime
from firstline.errors import RuleViolation

from .services import Throttled, login_check, token_create

router = Router()


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: IsoDateTime


@router.post("/auth/token", auth=None, response={200: TokenOut},
             summary="Exchange a username and password for a bearer token")
def auth_token(request, payload: TokenIn):
    try:
        user = login_check(request=request, username=payload.username, password=payload.password)
    except Throttled:
        raise RuleViolation("throttled", _("Too many failed attempts; try again later."),
                            status=429) from None
    if user is None:
        raise RuleViolation("bad_credentials", _("Wrong username or password."), status=401)
    plain, token = token_create(user=user, label="api")
    return {"token": plain, "expires_at": token.expires_at}
