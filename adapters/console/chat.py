"""An interactive check-in in the terminal, on the configured database."""

from __future__ import annotations

from collections.abc import Callable

from adapters.console.render import render
from adapters.console.sender import ConsoleSender
from bot import rhythm
from bot.events import Event, EventKind, Origin, Requested, requested, tapped
from bot.model import Actor, Person, Role
from bot.outgoing import QuestionMessage
from bot.ripple import Ripple
from bot.setup_form import SetupForm

QUIT = {"quit", "exit", "q"}
SETUP = "setup"
CONSOLE = "console"  # the one place every console channel and person belongs to


def console_ids(*, channel: str, person: str) -> tuple[str, str]:
    return f"console:{channel.lstrip('#')}", f"console:{person}"


class ConsoleChat:
    """Reads what the person types, turns it into events and prints Ripple's replies."""

    def __init__(
        self,
        *,
        ripple: Ripple,
        sender: ConsoleSender,
        channel: str,
        person: str,
        read: Callable[[str], str],
        write: Callable[[str], None],
        admin: bool = False,
        locale: str | None = None,
    ) -> None:
        self.ripple, self.sender = ripple, sender
        self.locale = locale  # the language asked for; None leaves it to the channel
        self.channel_id, self.person_id = console_ids(channel=channel, person=person)
        self.channel_name, self.person_name = f"#{channel.lstrip('#')}", person
        self.read, self.write = read, write
        self.last_question: QuestionMessage | None = None
        # Whoever runs `ripple chat --admin` on the server is trusted as the console's admin.
        roles = frozenset({Role.WORKSPACE_ADMIN}) if admin else frozenset()
        self.actor = Actor(person_id=self.person_id, place=CONSOLE, roles=roles)

    async def start(self) -> None:
        await self.ripple.register_channel(
            channel_id=self.channel_id, name=self.channel_name, scope=CONSOLE
        )
        me = Person(
            person_id=self.person_id, display_name=self.person_name.title(), locale=self.locale
        )
        await self.ripple.add_members(channel_id=self.channel_id, people=[me])
        await rhythm.open_round_now(
            self.ripple.context, channel_id=self.channel_id, now=self.ripple.clock.now()
        )

    async def run(self) -> None:
        await self.start()
        self.write(
            "Type a number to answer, or a command: checkin, pause, resume, history, "
            "export, forget, summary, web, setup, help, quit."
        )
        await self.ask(EventKind.CHECKIN)
        while True:
            try:
                line = self.read("> ").strip()
                if line.lower() in QUIT:
                    break
                if line:
                    await self.interpret(line)
            except EOFError:  # input ended, at the prompt or while asking for the note
                break
            except KeyboardInterrupt:  # Ctrl-C leaves at once, like quit
                self.write("")
                break

    async def interpret(self, line: str) -> None:
        word = line.lower()
        if word == SETUP or word.startswith(f"{SETUP} "):
            await self.setup(line[len(SETUP) :].strip())
            return
        asked = requested(self.origin(), word)
        if asked is not None:
            await self.send(asked)
            return
        question = self.last_question
        if question is None:
            await self.ask(EventKind.HELP)
            return
        if word == "s" and question.can_skip:
            await self.send(self.tap(question, action="skip", value=None))
            return
        value = _choice_value(question, word)
        if value is None and question.action != "answer":
            # Only typed answers are checked by the core; anywhere else a stray word must not
            # count as a choice (at the note prompt it would finish the check-in, text lost).
            self.write(f"Please type one of the numbers 1 to {len(question.choices)}.")
            self.write(render(question))
            return
        if value is None:
            # Anything else is offered to the core as typed, so it can refuse it clearly.
            value = line
        text = ""
        if question.action == "note" and value in ("private", "shared"):
            text = self.read("Your note: ")
        await self.send(self.tap(question, action=question.action, value=value, text=text))

    def origin(self) -> Origin:
        return Origin(
            person_id=self.person_id,
            occurred_at=self.ripple.clock.now(),
            channel_id=self.channel_id,
            display_name=self.person_name.title(),
            locale=self.locale,
        )

    def tap(
        self, question: QuestionMessage, *, action: str, value: str | None, text: str = ""
    ) -> Event | None:
        return tapped(
            self.origin(),
            action=action,
            value=value,
            round_id=question.round_id,
            question_id=question.question_id,
            text=text,
        )

    async def ask(self, request: EventKind) -> None:
        """Ask for something by name, as typing its word does."""
        await self.send(Requested(origin=self.origin(), request=request))

    async def setup(self, changes: str) -> None:
        """``setup`` shows the channel's settings; ``setup k=7 weekday=thu`` changes them."""
        start = await self.ripple.start_setup(
            actor=self.actor, channel_id=self.channel_id, name=self.channel_name
        )
        if start.form is None:
            self.write(start.message)
            return
        if not changes:
            self.write(render_form(start.form))
            return
        values: dict[str, str] = {}
        for pair in changes.split():
            name, equals, value = pair.partition("=")
            if not equals or not name:
                self.write(f"Please write each change as name=value, for example: {SETUP} k=7")
                return
            values[name] = value
        result = await self.ripple.apply_setup(
            actor=self.actor, channel_id=self.channel_id, values=values
        )
        self.write(result.message)

    async def send(self, event: Event | None) -> None:
        """Hand the core what was typed and show the replies (None: a choice it can't take)."""
        if event is None:
            self.write("Please type one of the numbers shown.")
            return
        await self.ripple.handle(event)
        before = len(self.sender.delivered)
        await self.ripple.drain()
        for delivered in self.sender.delivered[before:]:
            if delivered.message.recipient == self.person_id:
                message = delivered.message
                self.last_question = message if isinstance(message, QuestionMessage) else None


def _choice_value(question: QuestionMessage, word: str) -> str | None:
    if word.isdigit() and 1 <= int(word) <= len(question.choices):
        return question.choices[int(word) - 1].value
    for choice in question.choices:
        if word in (choice.value.lower(), choice.label.lower()):
            return choice.value
    return None


def render_form(form: SetupForm) -> str:
    """The settings form as text: each setting's name, label and current value."""
    lines = [form.title]
    for field in form.fields:
        value = ", ".join(field.value) if isinstance(field.value, tuple) else field.value
        named = " / ".join(f"{c.value} {c.label}" for c in field.choices)
        choices = f"  ({named})" if field.choices else ""
        lines.append(f"  {field.name} = {value or '-'}    {field.label}{choices}")
    lines.append(f"Change a setting with: {SETUP} name=value, for example: {SETUP} k=7")
    return "\n".join(lines)
