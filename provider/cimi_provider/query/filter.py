# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``$filter`` language of DSP0263 4.1.6.1: tokenizer, recursive-descent parser, compiler.

Grammar (spec EBNF; ``and`` binds tighter than ``or``)::

    Filter   ::= AndExpr ( 'or' AndExpr )*
    AndExpr  ::= Comp ( 'and' Comp )*
    Comp     ::= Attribute Op Value | Value Op Attribute | PropExpr | '(' Filter ')'
    Op       ::= '<' | '<=' | '=' | '>=' | '>' | '!='
    Value    ::= IntValue | DateValue | StringValue | BoolValue
    PropExpr ::= 'property[' StringValue ']' Op StringValue

Choices where the spec is silent (documented for clients):

* Whitespace (space, tab, CR, LF) may appear between any two tokens, also inside
  ``property [ 'k' ]``; ``and``/``or``/``true``/``false`` are reserved words.
* Strings are quoted with ``'`` or ``"``. Inside, the quote character is written doubled
  (``'it''s'``) or backslash-escaped (``'it\\'s'``); a backslash escapes any one character.
* DateValue is ``xs:dateTime`` (``2012-05-25T13:30:15-05:00``, ``...Z``, fractional seconds,
  no offset = UTC) or ``xs:date`` (midnight UTC). Because an unencoded ``+`` in a URL
  arrives as a space, ``...T13:30:15 05:00`` is read as ``+05:00``.
* Integers and dates allow all six operators; strings and booleans only ``=`` and ``!=``.
* A comparison on an attribute the resource lacks, or holds with another type, is false
  (also for ``!=``). ``property['k']!='v'`` is true when property ``k`` exists and differs.

Limits: 4096 characters and 64 levels of parentheses; beyond them, and on every syntax
error, ``QueryError`` with a 1-based position. The compiled predicate is a flat tree of
closures (``and``/``or`` chains are n-ary), so evaluating it never recurses deeply.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Callable

from .values import is_integer, parse_datetime

MAX_FILTER_LENGTH = 4096
MAX_DEPTH = 64
_MAX_ECHO = 24

Predicate = Callable[[dict], bool]


class QueryError(ValueError):
    """A bad query parameter. The message is safe to show to a client (HTTP 400)."""


_OPS = {
    "<": operator.lt, "<=": operator.le, "=": operator.eq,
    ">=": operator.ge, ">": operator.gt, "!=": operator.ne,
}
# ``5 < cpu`` means ``cpu > 5``.
_FLIPPED = {"<": ">", "<=": ">=", "=": "=", ">=": "<=", ">": "<", "!=": "!="}
_EQUALITY = frozenset({"=", "!="})
_KEYWORDS = frozenset({"and", "or", "true", "false"})
_SPACE = " \t\r\n"


@dataclass(frozen=True)
class Token:
    kind: str   # ident, int, date, string, op, (, ), [, ], end
    text: str   # source text (for messages)
    value: object
    pos: int    # 1-based position of the first character


def _echo(text: str) -> str:
    return text if len(text) <= _MAX_ECHO else text[:_MAX_ECHO] + "..."


def _is_ident_start(char: str) -> bool:
    return char == "_" or ("a" <= char <= "z") or ("A" <= char <= "Z")


def _is_ident_char(char: str) -> bool:
    return _is_ident_start(char) or "0" <= char <= "9"


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0

    def tokens(self) -> list[Token]:
        out = []
        while True:
            token = self._next()
            out.append(token)
            if token.kind == "end":
                return out

    def _next(self) -> Token:
        text, size = self.text, len(self.text)
        while self.index < size and text[self.index] in _SPACE:
            self.index += 1
        start = self.index
        if start >= size:
            return Token("end", "end of filter", None, start + 1)
        char = text[start]
        if char in "()[]":
            self.index += 1
            return Token(char, char, None, start + 1)
        if char in "<>!=":
            two = text[start:start + 2]
            if two in ("<=", ">=", "!="):
                self.index += 2
                return Token("op", two, two, start + 1)
            if char == "!":
                raise QueryError(f"unexpected character '!' at position {start + 1}")
            self.index += 1
            return Token("op", char, char, start + 1)
        if char in "'\"":
            return self._string(char)
        if "0" <= char <= "9":
            return self._number_or_date()
        if _is_ident_start(char):
            end = start + 1
            while end < size and _is_ident_char(text[end]):
                end += 1
            self.index = end
            word = text[start:end]
            return Token("ident", word, word, start + 1)
        raise QueryError(f"unexpected character {_echo(char)!r} at position {start + 1}")

    def _string(self, quote: str) -> Token:
        text, size, start = self.text, len(self.text), self.index
        index = start + 1
        chars = []
        while True:
            if index >= size:
                raise QueryError(f"unterminated string starting at position {start + 1}")
            char = text[index]
            if char == "\\":
                if index + 1 >= size:
                    raise QueryError(f"unterminated string starting at position {start + 1}")
                chars.append(text[index + 1])
                index += 2
            elif char == quote:
                if index + 1 < size and text[index + 1] == quote:
                    chars.append(quote)
                    index += 2
                else:
                    index += 1
                    break
            else:
                chars.append(char)
                index += 1
        self.index = index
        return Token("string", text[start:index], "".join(chars), start + 1)

    def _number_or_date(self) -> Token:
        text, size, start = self.text, len(self.text), self.index
        end = start
        while end < size and "0" <= text[end] <= "9":
            end += 1
        if end < size and text[end] == "-":
            return self._date(start)
        if end < size and _is_ident_char(text[end]):
            # "1and" is "1 and"; "12ab" is not a number.
            word_end = end
            while word_end < size and _is_ident_char(text[word_end]):
                word_end += 1
            if text[end:word_end] not in ("and", "or"):
                raise QueryError(f"malformed number at position {start + 1}")
        self.index = end
        digits = text[start:end]
        if len(digits) > 32:
            raise QueryError(f"integer too long at position {start + 1}")
        return Token("int", digits, int(digits), start + 1)

    def _date(self, start: int) -> Token:
        text, size = self.text, len(self.text)
        end = start
        allowed = "0123456789-:.TZ+"
        while end < size and text[end] in allowed and end - start < 64:
            end += 1
        # An unencoded '+' in the URL arrives as a space: "...:15 05:00" means "+05:00".
        raw = text[start:end]
        tail = text[end:end + 6]
        if "T" in raw and len(tail) == 6 and tail[0] == " " and tail[1:3].isdigit() \
                and tail[3] == ":" and tail[4:6].isdigit() and raw[-1].isdigit() \
                and "+" not in raw[10:] and "Z" not in raw and raw.count("-") == 2:
            raw, end = raw + "+" + tail[1:], end + 6
        value = parse_datetime(raw)
        if value is None:
            raise QueryError(f"invalid dateTime {_echo(raw)!r} at position {start + 1}")
        self.index = end
        return Token("date", raw, value, start + 1)


# ---------------------------------------------------------------- compiler pieces

def _compare_int(attr: str, op: str, number: int) -> Predicate:
    fn = _OPS[op]

    def predicate(resource: dict) -> bool:
        value = resource.get(attr)
        return (is_integer(value) or isinstance(value, float)) and fn(value, number)
    return predicate


def _compare_date(attr: str, op: str, instant) -> Predicate:
    fn = _OPS[op]

    def predicate(resource: dict) -> bool:
        value = resource.get(attr)
        if not isinstance(value, str):
            return False
        parsed = parse_datetime(value)
        return parsed is not None and fn(parsed, instant)
    return predicate


def _compare_exact(attr: str, op: str, expected, kind: type) -> Predicate:
    fn = _OPS[op]

    def predicate(resource: dict) -> bool:
        value = resource.get(attr)
        return isinstance(value, kind) and fn(value, expected)
    return predicate


def _compare_property(key: str, op: str, expected: str) -> Predicate:
    fn = _OPS[op]

    def predicate(resource: dict) -> bool:
        props = resource.get("properties")
        if not isinstance(props, dict):
            return False
        value = props.get(key)
        return isinstance(value, str) and fn(value, expected)
    return predicate


def _all_of(parts: list[Predicate]) -> Predicate:
    if len(parts) == 1:
        return parts[0]
    frozen = tuple(parts)
    return lambda resource: all(part(resource) for part in frozen)


def _any_of(parts: list[Predicate]) -> Predicate:
    if len(parts) == 1:
        return parts[0]
    frozen = tuple(parts)
    return lambda resource: any(part(resource) for part in frozen)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def _advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def _unexpected(self, expected: str) -> QueryError:
        token = self.current
        if token.kind == "end":
            return QueryError(f"unexpected end of filter at position {token.pos}, expected {expected}")
        return QueryError(f"unexpected token {_echo(token.text)!r} at position {token.pos}, "
                          f"expected {expected}")

    def _is_word(self, word: str) -> bool:
        return self.current.kind == "ident" and self.current.text == word

    def parse(self) -> Predicate:
        predicate = self._filter()
        if self.current.kind != "end":
            raise self._unexpected("'and', 'or' or end of filter")
        return predicate

    def _filter(self) -> Predicate:
        parts = [self._and_expr()]
        while self._is_word("or"):
            self._advance()
            parts.append(self._and_expr())
        return _any_of(parts)

    def _and_expr(self) -> Predicate:
        parts = [self._comp()]
        while self._is_word("and"):
            self._advance()
            parts.append(self._comp())
        return _all_of(parts)

    def _comp(self) -> Predicate:
        token = self.current
        if token.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"parentheses nested deeper than {MAX_DEPTH} at position {token.pos}")
            self._advance()
            inner = self._filter()
            if self.current.kind != ")":
                raise self._unexpected("')'")
            self._advance()
            self.depth -= 1
            return inner
        if self._is_word("property") and self.tokens[self.index + 1].kind == "[":
            return self._prop_expr()
        left = self._operand()
        op = self._op()
        right = self._operand()
        if left[0] == "attr" and right[0] == "attr":
            raise QueryError(f"comparison at position {token.pos} compares two attributes; "
                             "one side must be a value")
        if left[0] != "attr" and right[0] != "attr":
            raise QueryError(f"comparison at position {token.pos} has no attribute name")
        if left[0] == "attr":
            attr, value = left, right
        else:
            attr, value, op = right, left, (_FLIPPED[op[0]], op[1])
        return self._compile(attr[1], op, value)

    def _prop_expr(self) -> Predicate:
        self._advance()  # property
        self._advance()  # [
        key = self._advance()
        if key.kind != "string":
            self.index -= 1
            raise self._unexpected("a quoted property key")
        if self.current.kind != "]":
            raise self._unexpected("']'")
        self._advance()
        op = self._op()
        value = self.current
        if value.kind != "string":
            raise self._unexpected("a quoted string value")
        self._advance()
        if op[0] not in _EQUALITY:
            raise QueryError(f"operator {op[0]!r} at position {op[1]} cannot compare strings; "
                             "use '=' or '!='")
        return _compare_property(key.value, op[0], value.value)

    def _op(self) -> tuple[str, int]:
        token = self.current
        if token.kind != "op":
            raise self._unexpected("a comparison operator (<, <=, =, >=, >, !=)")
        self._advance()
        return token.text, token.pos

    def _operand(self) -> tuple:
        token = self.current
        if token.kind == "ident":
            if token.text in ("true", "false"):
                self._advance()
                return ("bool", token.text == "true")
            if token.text in _KEYWORDS:
                raise self._unexpected("an attribute name or a value")
            self._advance()
            return ("attr", token.text)
        if token.kind in ("int", "date", "string"):
            self._advance()
            return (token.kind, token.value)
        raise self._unexpected("an attribute name or a value")

    @staticmethod
    def _compile(attr: str, op: tuple[str, int], value: tuple) -> Predicate:
        symbol, pos = op
        kind, literal = value
        if kind == "int":
            return _compare_int(attr, symbol, literal)
        if kind == "date":
            return _compare_date(attr, symbol, literal)
        if symbol not in _EQUALITY:
            what = "strings" if kind == "string" else "booleans"
            raise QueryError(f"operator {symbol!r} at position {pos} cannot compare {what}; "
                             "use '=' or '!='")
        return _compare_exact(attr, symbol, literal, str if kind == "string" else bool)


def compile_filter(text: str) -> Predicate:
    """Compile one ``$filter`` expression into ``predicate(resource_dict) -> bool``.

    Raises ``QueryError`` (with a 1-based position) on any malformed or over-long input.
    """
    if not isinstance(text, str):
        raise QueryError("filter must be a string")
    if len(text) > MAX_FILTER_LENGTH:
        raise QueryError(f"filter is longer than {MAX_FILTER_LENGTH} characters")
    if not text.strip(_SPACE):
        raise QueryError("filter is empty")
    return _Parser(_Lexer(text).tokens()).parse()
