"""Composes the check-in conversation's outgoing messages from the prompt catalog."""

from __future__ import annotations

from dataclasses import dataclass

from bot.model import Channel, CheckIn, Person
from bot.outgoing import QuestionMessage, TextMessage
from bot.ports import PromptCatalog
from bot.questions import Choice, QuestionSet

SNOOZE_OPTIONS = ("in_1h", "this_afternoon", "tomorrow_morning")


@dataclass(frozen=True, kw_only=True)
class Speaker:
    """Speaks to one person about one check-in, in their language."""

    catalog: PromptCatalog
    locale: str
    checkin: CheckIn
    channel: Channel
    person: Person | None

    def say(self, key: str, **params: object) -> str:
        return self.catalog.message(key, locale=self.locale, **params)

    @property
    def name(self) -> str:
        return self.person.display_name if self.person else ""

    def key(self, suffix: str) -> str:
        return f"{self.checkin.thread_key}:{suffix}"

    def gate(
        self, *, key: str, reminder: bool = False, closes: str = "", lead: str | None = None
    ) -> QuestionMessage:
        text_key = "gate.reminder" if reminder else "gate.text"
        text = self.say(text_key, name=self.name, channel=self.channel.name, closes=closes)
        return QuestionMessage(
            recipient=self.checkin.person_id,
            locale=self.locale,
            idempotency_key=self.key(key),
            thread_key=self.checkin.thread_key,
            new_message=True,
            text=text if lead is None else f"{lead}\n\n{text}",
            choices=tuple(
                Choice(value=v, label=self.say(f"gate.{v}")) for v in ("now", "later", "rest")
            ),
            action="capacity",
            round_id=self.checkin.round_id,
            footer=self.channel.config.signpost,
        )

    def snooze_options(
        self, *, key: str, lead: str | None = None, offered: tuple[str, ...] = SNOOZE_OPTIONS
    ) -> QuestionMessage:
        """When to ask again: ``offered`` are the presets that still make sense now, in the
        person's own day (no "this afternoon" once the afternoon has begun)."""
        text = self.say("snooze.ask") if lead is None else lead
        return QuestionMessage(
            recipient=self.checkin.person_id,
            locale=self.locale,
            idempotency_key=self.key(key),
            thread_key=self.checkin.thread_key,
            text=text,
            choices=tuple(Choice(value=v, label=self.say(f"snooze.{v}")) for v in offered),
            action="snooze",
            round_id=self.checkin.round_id,
        )

    def question(
        self, questions: QuestionSet, step: int, *, key: str, lead: str | None = None
    ) -> QuestionMessage:
        question = questions.questions[step]
        progress = self.say("question.progress", step=step + 1, total=len(questions.questions))
        text = question.text if lead is None else f"{lead}\n\n{question.text}"
        return QuestionMessage(
            recipient=self.checkin.person_id,
            locale=self.locale,
            idempotency_key=self.key(key),
            thread_key=self.checkin.thread_key,
            text=text,
            choices=question.choices,
            action="answer",
            round_id=self.checkin.round_id,
            question_id=question.question_id,
            step=step + 1,
            total_steps=len(questions.questions),
            can_skip=True,
            footer=progress,
        )

    def note_prompt(
        self, *, key: str, comment_threshold: int, lead: str | None = None
    ) -> QuestionMessage:
        """The note question; it says what sharing means, with the week's threshold."""
        ask = f"{self.say('note.ask')} {self.say('note.threshold', threshold=comment_threshold)}"
        text = ask if lead is None else f"{lead}\n\n{ask}"
        return QuestionMessage(
            recipient=self.checkin.person_id,
            locale=self.locale,
            idempotency_key=self.key(key),
            thread_key=self.checkin.thread_key,
            text=text,
            choices=tuple(
                Choice(value=v, label=self.say(f"note.{v}")) for v in ("none", "private", "shared")
            ),
            action="note",
            round_id=self.checkin.round_id,
        )

    def text(self, body: str, *, key: str, footer: str | None = None) -> TextMessage:
        return TextMessage(
            recipient=self.checkin.person_id,
            locale=self.locale,
            idempotency_key=self.key(key),
            thread_key=self.checkin.thread_key,
            text=body,
            footer=footer,
        )
