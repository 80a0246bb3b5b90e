"""Directions after a quantity: "12 N to the left", "5 m/s due east", "3 rad/s counterclockwise",
"2 T into the page". A vector's answer is its magnitude and its direction: the other way is wrong,
whatever the number. Pure string functions."""

from __future__ import annotations

import re

# canonical direction -> its spellings (after "to the", "due", "directed", ... are dropped)
_NAMES = {
    "left": r"left|leftwards?",
    "right": r"right|rightwards?",
    "up": r"up|upwards?|vertically up(?:wards?)?|straight up",
    "down": r"down|downwards?|vertically down(?:wards?)?|straight down",
    "clockwise": r"clockwise|cw",
    "counterclockwise": r"counter-?clockwise|anti-?clockwise|ccw",
    "into the page": r"into the (?:page|paper|screen|board|plane)",
    "out of the page": r"out of the (?:page|paper|screen|board|plane)",
    "inward": r"(?:radially )?inwards?|towards? the (?:center|centre|axis|origin)",
    "outward": r"(?:radially )?outwards?|away from the (?:center|centre|axis|origin)",
}
for _x in "xyz":  # "in the +x direction", "along the negative y-axis"; not the "+x" of "(3+x)"
    for _sign, _said in (("+", r"\+|positive"), ("-", r"-|−|negative")):
        _axis = rf"(?:{_said}) ?{_x}"
        _named = r"[- ]?(?:direction|axis)"
        _NAMES[_sign + _x] = rf"(?:in the |along the ){_axis}(?:{_named})?|{_axis}{_named}"
for _a in ("north", "south"):
    for _b in ("east", "west"):
        _NAMES[_a + _b] = rf"{_a}[- ]?{_b}(?:wards?)?"
for _a in ("north", "south", "east", "west"):
    _NAMES[_a] = rf"{_a}(?:wards?)?"
_CANON = {name: re.compile(rf"(?:{spelled})", re.I) for name, spelled in _NAMES.items()}
_LEAD = r"(?:(?:directed|pointing|pointed|acting|oriented|heading|moving|going|travell?ing)\s+)?" \
        r"(?:(?:to|towards?|along|in) the\s+|due\s+)?"  # fmt: skip
_ANY = "|".join(f"(?:{s})" for s in sorted(_NAMES.values(), key=len, reverse=True))
_PHRASE = rf"(?:^|(?<=[\s,(])){_LEAD}(?P<dir>{_ANY})(?![\w-])"
_TAIL = re.compile(rf"^(?P<rest>.*?)[\s,;(]*{_PHRASE}\)?\.?$", re.I | re.S)

# "36.9° north of east", "53^\circ east of north", "N 53° E": a bearing, as degrees counterclockwise
# from east (the compass points too: north is 90)
_COMPASS = {"east": 0, "northeast": 45, "north": 90, "northwest": 135, "west": 180, "southwest": 225,
            "south": 270, "southeast": 315}  # fmt: skip
_POINTS = {"n": "north", "s": "south", "e": "east", "w": "west"}
_SIGN = r"\s*(?:°|\^\s*\{?\\circ\}?|\\circ|degrees?|deg)?"
_CARDINAL = "north|south|east|west"
_BEARS = (rf"(?:\bat\s+)?(?P<bearing>(?P<deg>\d+(?:\.\d+)?){_SIGN}\s*(?P<turn>{_CARDINAL})\s+of\s+"
          rf"(?:due\s+)?(?P<base>{_CARDINAL})|\b(?P<ns>[NS])\s*(?P<deg2>\d+(?:\.\d+)?){_SIGN}\s*(?P<ew>[EW]))\b")
_BEARING = re.compile(rf"^(?P<rest>.*?)[\s,;]*{_BEARS}\.?$", re.I | re.S)

# what the prose rules leave after an answer they read: its unit and direction ("12 N to the right",
# "-4.6 m/s (the negative sign means it is moving downward)", "5.0 km, 37° east of north")
_UNIT = r"[A-Za-zΩμ°]{1,3}(?:\s*[/·*^]\s*[A-Za-z0-9²³^-]{1,4})*"
_GLOSS = r"\((?:[^()]*?\s)?"  # "(the negative sign means it is moving downward)"
_AFTER = re.compile(rf"(?P<unit>\s+{_UNIT}(?=[\s,]))?[\s$*}}]*,?\s*(?:(?:{_GLOSS})?{_PHRASE}|{_BEARS})", re.I)


def _bearing(m: re.Match) -> str:
    """"bearing ANGLE PLACES": degrees counterclockwise from east, and the decimal places given."""
    turn, base = (m["turn"], m["base"]) if m["turn"] else (m["ew"], m["ns"])
    turn, base = (_POINTS.get(w.lower(), w.lower()) for w in (turn, base))
    deg = m["deg"] or m["deg2"]
    side = {90: 1, 270: -1}.get((_COMPASS[turn] - _COMPASS[base]) % 360)
    if not side:  # "30° south of north"
        return ""
    places = len(deg.split(".")[1]) if "." in deg else 0
    return f"bearing {(_COMPASS[base] + side * float(deg)) % 360:g} {places}"


def _angle(direction: str) -> tuple[float, float] | None:
    """(degrees from east, half the last place given) of a bearing or compass point."""
    if direction in _COMPASS:
        return _COMPASS[direction], 0.0
    if direction.startswith("bearing "):
        _, deg, places = direction.split()
        return float(deg), 0.5 * 10 ** -int(places)
    return None


def canonical(spelled: str) -> str:
    """"leftward" -> "left", "anti-clockwise" -> "counterclockwise"."""
    s = re.sub(r"\s+", " ", spelled.strip().lower())
    return next((name for name, rx in _CANON.items() if rx.fullmatch(s)), s)


def split(text: str) -> tuple[str, str | None]:
    """(the quantity, its canonical direction or None): "12 N to the left" -> ("12 N", "left"),
    "5.0 km, 37° east of north" -> ("5.0 km", "bearing 53 0"). A direction alone
    ("counterclockwise") is one too; text with none comes back as it was."""
    bare = re.sub(r"\\(?:text|mathrm|textrm)\s*\{([^{}]*)\}", r" \1", text.strip())  # 2\text{ T, up}
    bearing = _BEARING.match(bare)
    if bearing and _bearing(bearing) and (not bearing["rest"] or re.search(r"\d", bearing["rest"])):
        return bearing["rest"].strip(), _bearing(bearing)
    m = _TAIL.match(bare)
    rest = m["rest"].strip() if m else ""
    if not m or re.search(rf"\bof$|\b(?:{_CARDINAL})\b", rest, re.I) or rest and not re.search(r"\d", rest):
        return text, None  # "30° south of north"; "turn right": words, not a quantity's direction
    return rest, canonical(m["dir"])


def last(text: str) -> str | None:
    """The last direction a sentence names ("The current flows anticlockwise."), for a reference
    that is a direction alone."""
    found = list(re.finditer(_PHRASE, text, re.I))
    return canonical(found[-1]["dir"]) if found else None


def kept(part: str, answer: str | None) -> str | None:
    """The answer with the direction the reply states right after it: "The net force is 12 N to
    the left." is read as "12 N" by the prose rules; its direction is half of it."""
    if not answer or split(answer)[1] or not re.search(r"\d", answer):
        return answer
    at = part.rfind(answer)
    after = _AFTER.match(part, at + len(answer)) if at >= 0 else None
    return f"{answer}{after['unit'] or ''} {after['dir'] or after['bearing']}" if after else answer


def apart(ref: str, ans: str, problem: str) -> tuple[str, str, tuple[str, str] | None]:
    """(reference, answer, verdict or None) with their directions compared and taken off: the
    verdict where the directions decide it (another one; a reference that is only a direction),
    else the two quantities to compare, a sign dropped where both state the same direction
    ("v = -4.6 m/s, downward" with up positive is 4.6 m/s downward)."""
    (ref, to), (ans, went) = split(ref), split(ans)
    went = went or (last(ans) if to and not ref else None)  # "It turns anticlockwise."
    way = _wrong(to, went, problem)
    if way or to and not ref:
        return ref, ans, ("incorrect", way) if way else ("correct", "same direction")
    if to and not ref.lstrip().startswith("-"):
        ans = re.sub(r"^((?:[A-Za-z_]\w*\s*=\s*)?)[-−]\s*(?=\d)", r"\1", ans.strip())
    return ref, ans, None


def _wrong(reference: str | None, answer: str | None, problem: str) -> str | None:
    """Why an answer's direction fails the reference's (None: it does not): another direction, or
    none where the reference gives one (unless the problem asks only for a magnitude or speed)."""
    if reference is None:
        return None
    if answer is None:
        magnitude = re.search(r"\bmagnitude|\bspeed\b|how fast", problem, re.I)
        if magnitude and not re.search(r"\bdirection", problem, re.I):
            return None
        return f"no direction (the reference: {reference})"
    angles = _angle(reference), _angle(answer)
    if angles[0] and angles[1]:  # 53.1° east of north is 36.9° north of east; 37° is not 53°
        off = abs((angles[0][0] - angles[1][0] + 180) % 360 - 180)
        return None if off <= max(angles[0][1], angles[1][1]) + 1e-9 else f"another direction ({off:g}° off)"
    return None if answer == reference else f"another direction ({answer}; the reference: {reference})"
