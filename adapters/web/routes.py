"""The web view's routes: sign in by link, the pages, sign out.

Each page reads the session (who), then asks the core what that person may see now; the
adapter only renders. A channel the person may not open is "not found", exactly like a
channel that doesn't exist.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import RedirectResponse, Response

from adapters.charts import render_chart_async
from adapters.web.pages import HEADERS, channel_path, page, preferred_locale, stylesheet
from adapters.web.signing import LinkProblem, Session, WebSigning, same_value
from bot.ripple import Ripple
from bot.webview import SESSION_LIFETIME, SignIn, Visitor

logger = logging.getLogger(__name__)

SESSION_COOKIE = "ripple_web"
COOKIE_PATH = "/web"
HOME = "/web/"
_SIGN_IN_REFUSALS = {
    LinkProblem.EXPIRED: (410, "web.sign_in.expired"),
    LinkProblem.INVALID: (400, "web.sign_in.invalid"),
    SignIn.USED: (410, "web.sign_in.used"),
    # Said like any broken link: the page doesn't tell whoever holds it that someone erased
    # their data.
    SignIn.ERASED: (410, "web.sign_in.invalid"),
}


class WebView:
    """The web view for managers and admins, mounted on Ripple's app under /web/."""

    def __init__(self, *, signing: WebSigning) -> None:
        self.signing = signing

    def mount(self, app: FastAPI, *, ripple: Ripple) -> None:
        app.include_router(_Routes(ripple=ripple, signing=self.signing).router())


class _Routes:
    def __init__(self, *, ripple: Ripple, signing: WebSigning) -> None:
        self.ripple, self.signing = ripple, signing
        self.catalog = ripple.context.catalog

    def router(self) -> APIRouter:
        router = APIRouter(prefix="/web", include_in_schema=False)
        router.add_api_route("/static/ripple.css", self.css, methods=["GET"])
        router.add_api_route("/sign-in", self.sign_in, methods=["GET"])
        router.add_api_route("/sign-out", self.sign_out, methods=["POST"])
        router.add_api_route("/signed-out", self.signed_out, methods=["GET"])
        router.add_api_route("/", self.overview, methods=["GET"])
        router.add_api_route("/channels/{channel_id}", self.summaries, methods=["GET"])
        router.add_api_route("/channels/{channel_id}/chart.png", self.chart, methods=["GET"])
        router.add_api_route("/admin/{channel_id}", self.settings, methods=["GET"])
        router.add_api_route("/{rest:path}", self.elsewhere, methods=["GET"])
        return router

    # Signing in and out

    async def css(self) -> Response:
        return stylesheet()

    async def sign_in(self, request: Request) -> Response:
        """Check the link, use it up, and set the session; the redirect takes the token out
        of the address bar (and of the history's current entry)."""
        now = self.ripple.clock.now()
        token = request.query_params.get("t", "")
        claim = self.signing.read_link(token, now=now) if token else LinkProblem.INVALID
        if isinstance(claim, LinkProblem):
            return self._refuse_sign_in(request, claim)
        outcome = await self.ripple.redeem_sign_in(
            person_id=claim.person_id, nonce=claim.nonce, now=now
        )
        if outcome is not SignIn.ACCEPTED:
            return self._refuse_sign_in(request, outcome)
        response = RedirectResponse(HOME, status_code=303, headers=HEADERS)
        response.set_cookie(
            SESSION_COOKIE,
            self.signing.session(claim.person_id, now=now),
            max_age=int(SESSION_LIFETIME.total_seconds()),
            path=COOKIE_PATH,
            secure=self.signing.secure,
            httponly=True,
            samesite="lax",
        )
        return response

    def _refuse_sign_in(self, request: Request, why: LinkProblem | SignIn) -> Response:
        logger.info("refused a web view sign-in link: %s", why.value)
        status, key = _SIGN_IN_REFUSALS[why]
        return self._notice(request, "web.sign_in.title", key, status=status)

    async def sign_out(self, request: Request) -> Response:
        """Forget the session. Only from Ripple's own pages: a browser that says where the
        form came from must say Ripple, and the form must carry the session's token."""
        if self._from_elsewhere(request):
            return self._notice(request, "web.refused.title", "web.refused.text", status=403)
        session = self._session(request)
        if session is not None:
            form = parse_qs((await request.body()).decode("utf-8", "replace"))
            if not same_value(next(iter(form.get("csrf", [])), None), session.csrf):
                return self._notice(request, "web.refused.title", "web.refused.text", status=403)
        response = RedirectResponse("/web/signed-out", status_code=303, headers=HEADERS)
        self._forget_cookie(response)
        return response

    def _from_elsewhere(self, request: Request) -> bool:
        """Whether the browser says a form was sent from another site.

        Under Referrer-Policy no-referrer, browsers send ``Origin: null`` with Ripple's own
        forms too, so null says nothing and the form's token decides.
        """
        origin = request.headers.get("origin")
        if origin not in (None, "null") and origin != self.signing.origin:
            return True
        site = request.headers.get("sec-fetch-site")
        return site is not None and site not in ("same-origin", "none")

    async def signed_out(self, request: Request) -> Response:
        return self._notice(request, "web.signed_out.title", "web.signed_out.text")

    # Pages

    async def overview(self, request: Request) -> Response:
        found = await self._visitor(request)
        if isinstance(found, Response):
            return found
        session, visitor = found
        return self._page(
            "overview.html",
            session,
            visitor,
            title=self._say(visitor, "web.overview.title"),
            current="home",
        )

    async def summaries(self, request: Request, channel_id: str) -> Response:
        found = await self._visitor(request)
        if isinstance(found, Response):
            return found
        session, visitor = found
        summaries = await self.ripple.web_summaries(
            person_id=visitor.person_id, channel_id=channel_id
        )
        if summaries is None:
            return self._not_found(session, visitor)
        return self._page(
            "summaries.html",
            session,
            visitor,
            title=self._say(visitor, "web.summaries.title", channel=summaries.channel.name),
            found=summaries,
            chart_url=channel_path(channel_id) + "/chart.png" if summaries.chart else None,
        )

    async def chart(self, request: Request, channel_id: str) -> Response:
        """The newest digest's trend chart as a PNG (its words are on the page)."""
        found = await self._visitor(request)
        if isinstance(found, Response):
            return found
        session, visitor = found
        summaries = await self.ripple.web_summaries(
            person_id=visitor.person_id, channel_id=channel_id, limit=1
        )
        if summaries is None or summaries.chart is None:
            return self._not_found(session, visitor)
        png = await render_chart_async(summaries.chart)
        return Response(png, media_type="image/png", headers=HEADERS)

    async def settings(self, request: Request, channel_id: str) -> Response:
        found = await self._visitor(request)
        if isinstance(found, Response):
            return found
        session, visitor = found
        settings = await self.ripple.web_settings(
            person_id=visitor.person_id, channel_id=channel_id, locale=visitor.locale
        )
        if settings is None:
            return self._not_found(session, visitor)
        return self._page(
            "settings.html",
            session,
            visitor,
            title=self._say(visitor, "web.settings.title", channel=settings.channel.name),
            found=settings,
        )

    async def elsewhere(self, request: Request, rest: str) -> Response:
        found = await self._visitor(request)
        if isinstance(found, Response):
            return found
        return self._not_found(*found)

    # Helpers

    def _session(self, request: Request) -> Session | None:
        cookie = request.cookies.get(SESSION_COOKIE)
        return self.signing.read_session(cookie, now=self.ripple.clock.now())

    async def _visitor(self, request: Request) -> tuple[Session, Visitor] | Response:
        """Who is signed in, as the store says now, or the page asking them to sign in."""
        session = self._session(request)
        visitor = None if session is None else await self.ripple.web_visitor(session.person_id)
        if session is None or visitor is None:
            response = self._notice(
                request, "web.not_signed_in.title", "web.not_signed_in.text", status=401
            )
            if session is not None:  # they erased their data: the session ends here
                self._forget_cookie(response)
            return response
        return session, visitor

    def _forget_cookie(self, response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE,
            path=COOKIE_PATH,
            secure=self.signing.secure,
            httponly=True,
            samesite="lax",
        )

    def _say(self, visitor: Visitor, key: str, **params: object) -> str:
        return self.catalog.message(key, locale=visitor.locale, **params)

    def _page(
        self,
        template: str,
        session: Session,
        visitor: Visitor,
        *,
        status: int = 200,
        **values: object,
    ) -> Response:
        values.setdefault("current", None)
        return page(
            template,
            catalog=self.catalog,
            locale=visitor.locale,
            status=status,
            csrf=session.csrf,
            visitor=visitor,
            **values,
        )

    def _not_found(self, session: Session, visitor: Visitor) -> Response:
        return self._page(
            "message.html",
            session,
            visitor,
            status=404,
            title=self._say(visitor, "web.not_found.title"),
            text=self._say(visitor, "web.not_found.text"),
            back=self._say(visitor, "web.not_found.back"),
        )

    def _notice(self, request: Request, title: str, text: str, *, status: int = 200) -> Response:
        """A page for someone not signed in, in the language their browser asks for."""
        locale = preferred_locale(
            request.headers.get("accept-language"), available=self.catalog.locales()
        )
        return page(
            "message.html",
            catalog=self.catalog,
            locale=locale,
            status=status,
            title=self.catalog.message(title, locale=locale),
            text=self.catalog.message(text, locale=locale),
            back=None,
            current=None,
        )
