"""Seating (座次) by the protocol of Party and government meetings, as pure functions.

No database, no models: callers pass their own keys (person ids, "guest:7", …) and get seats
back. Everything here is deterministic: the same input gives the same seats.

The presidium (主席台)
=====================

The presidium sits in rank order (No. 1, No. 2, …), facing the hall. The place of honour is
the presidium's **left** by default (the left of a person sitting on the presidium, facing the
hall), which is the **right as seen from the hall**. Some occasions honour the right instead:
`honour_side="right"` mirrors everything.

- An odd count puts No. 1 in the centre, No. 2 on No. 1's left (the side of honour), No. 3 on
  No. 1's right, No. 4 beyond No. 2, No. 5 beyond No. 3, and so on outwards.
- An even count puts Nos. 1 and 2 in the two centre seats, No. 2 on No. 1's left (the side of
  honour); then No. 3 on No. 1's right, No. 4 beyond No. 2, and so on outwards.

**Positions are counted from the left as seen from the hall** (the API's `position`, the seat
chart, the table cards' order all use it): position 1 is the seat at the hall's left end of
the row, which is the presidium's *right* end. Seven seats, side of honour "left":

                         the back of the stage
            presidium's right                 presidium's left
            (hall's left)                       (hall's right)
        ┌─────┬─────┬─────┬─────┬─────┬─────┬─────┐
 rank   │  7  │  5  │  3  │  1  │  2  │  4  │  6  │      they face the hall  ↓
        └─────┴─────┴─────┴─────┴─────┴─────┴─────┘
 pos.      1     2     3     4     5     6     7     ← counted from the left as seen from the hall
                             ↑ the hall looks up at them ↑

Six seats (even), "left": from the hall's left ``5 3 1 2 4 6`` — No. 1 at position 3, No. 2
at position 4. With `honour_side="right"` the rows read ``6 4 2 1 3 5 7`` and
``6 4 2 1 3 5``.

In one formula: as seen from the hall, honour "left" puts the odd ranks descending and then
the even ranks ascending (… 5 3 1 2 4 …); honour "right" the even ranks descending and then
the odd ranks ascending (… 4 2 1 3 5 …).

A presidium of several rows (`row_sizes`): the first row (nearest the hall) takes the first
ranks, the next row the following ones, each row seated by the same rule around its own centre.

The hall (会场)
==============

`HallLayout` is a grid of rows (row 1 is the front row, nearest the presidium) cut by aisles
into blocks; seat numbers run across the whole row, from the left **as seen from the hall**
(the same direction as the presidium's positions, so the chart reads left to right),
aisles not counted. `arrange_hall` fills zones (`Zone`: a block of rows and blocks of the
hall, e.g. one per unit in the units' order, or the front aisle seats for the honourees
who go up for the awarding) with occupants in the order given, keeps locked seats, and
reports who found no seat. `move` and `swap` are the manual moves of the seating editor.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from django.utils.translation import gettext_lazy as _

from luoshi.core.errors import InvalidInput

K = TypeVar("K", bound=Hashable)

HonourSide = Literal["left", "right"]
HONOUR_SIDES: tuple[HonourSide, ...] = ("left", "right")
DEFAULT_HONOUR_SIDE: HonourSide = "left"  # [practice] the presidium's left; a setting per meeting

Fill = Literal["rows", "center", "aisle"]
FILLS: tuple[Fill, ...] = ("rows", "center", "aisle")


class SeatingError(InvalidInput):
    """A seating request that cannot be carried out (unknown seat, locked seat, …)."""

    code = "seating_invalid"


def _check_side(honour_side: str) -> None:
    if honour_side not in HONOUR_SIDES:
        raise SeatingError(
            _("The side of honour must be left or right."), code="seating_honour_side"
        )


def _check_count(count: int) -> None:
    if count < 0:
        raise SeatingError(_("A row cannot have fewer than no seats."), code="seating_count")


# --- the presidium ------------------------------------------------------------------------------


def presidium_order(count: int, honour_side: HonourSide = DEFAULT_HONOUR_SIDE) -> list[int]:
    """The rank order (1 = No. 1) sitting at each position, positions from the hall's left.

    `presidium_order(5) == [5, 3, 1, 2, 4]`; `presidium_order(4) == [3, 1, 2, 4]`;
    `presidium_order(5, "right") == [4, 2, 1, 3, 5]`. The inverse of `presidium_positions`.
    """
    _check_side(honour_side)
    _check_count(count)
    odd = list(range(1, count + 1, 2))
    even = list(range(2, count + 1, 2))
    if honour_side == "left":  # the presidium's left is the hall's right: No. 2 right of No. 1
        return odd[::-1] + even
    return even[::-1] + odd


def presidium_positions(count: int, honour_side: HonourSide = DEFAULT_HONOUR_SIDE) -> list[int]:
    """The position (1-based, counted from the left as seen from the hall) of each rank order:
    `result[k - 1]` is where No. k sits. `presidium_positions(5) == [3, 4, 2, 5, 1]`."""
    order = presidium_order(count, honour_side)
    positions = [0] * count
    for index, rank in enumerate(order):
        positions[rank - 1] = index + 1
    return positions


def position_of(rank: int, count: int, honour_side: HonourSide = DEFAULT_HONOUR_SIDE) -> int:
    """Where No. `rank` of a row of `count` sits (from the hall's left)."""
    if not 1 <= rank <= count:
        raise SeatingError(_("There is no such rank in this row."), code="seating_rank")
    return presidium_positions(count, honour_side)[rank - 1]


def rank_at(position: int, count: int, honour_side: HonourSide = DEFAULT_HONOUR_SIDE) -> int:
    """The rank order that sits at `position` (from the hall's left) of a row of `count`."""
    if not 1 <= position <= count:
        raise SeatingError(_("There is no such seat in this row."), code="seating_position")
    return presidium_order(count, honour_side)[position - 1]


@dataclass(frozen=True)
class PresidiumSeat(Generic[K]):
    """One seat of the presidium.

    row: 1 = the front row of the presidium (nearest the hall); position: counted from the
    left as seen from the hall within that row; rank_order: 1 = No. 1 over the whole
    presidium; key: the caller's key of the person.
    """

    row: int
    position: int
    rank_order: int
    key: K


def _row_sizes(count: int, row_sizes: Sequence[int] | None) -> list[int]:
    if not row_sizes:
        return [count] if count else []
    sizes = list(row_sizes)
    if any(size < 1 for size in sizes) or sum(sizes) != count:
        raise SeatingError(
            _("The presidium's rows must hold exactly the people seated on it."),
            code="seating_presidium_rows",
        )
    return sizes


def seat_presidium(
    keys: Sequence[K],
    honour_side: HonourSide = DEFAULT_HONOUR_SIDE,
    row_sizes: Sequence[int] | None = None,
) -> list[PresidiumSeat[K]]:
    """Seat `keys` (in rank order: keys[0] is No. 1) on the presidium.

    Returns the seats ordered by row, then position (left to right as seen from the hall).
    `row_sizes` splits the presidium into rows (front row first); by default one row.
    """
    _check_side(honour_side)
    if len(set(keys)) != len(keys):
        raise SeatingError(_("A person is on the presidium twice."), code="seating_duplicate")
    seats: list[PresidiumSeat[K]] = []
    first = 0
    for row, size in enumerate(_row_sizes(len(keys), row_sizes), start=1):
        for position, rank in enumerate(presidium_order(size, honour_side), start=1):
            overall = first + rank
            seats.append(PresidiumSeat(row, position, overall, keys[overall - 1]))
        first += size
    return seats


def presidium_rank_for_seat(
    row: int,
    position: int,
    count: int,
    honour_side: HonourSide = DEFAULT_HONOUR_SIDE,
    row_sizes: Sequence[int] | None = None,
) -> int:
    """The overall rank order of the presidium seat (`row`, `position`) (the inverse of
    `seat_presidium`), e.g. to turn a drop on a seat of the editor into a rank."""
    sizes = _row_sizes(count, row_sizes)
    if not 1 <= row <= len(sizes):
        raise SeatingError(_("There is no such seat in this row."), code="seating_position")
    return sum(sizes[: row - 1]) + rank_at(position, sizes[row - 1], honour_side)


def swap_ranks(keys: Sequence[K], a: K, b: K) -> list[K]:
    """The rank order with `a` and `b` exchanged (a manual swap of two presidium seats)."""
    result = list(keys)
    try:
        i, j = result.index(a), result.index(b)
    except ValueError:
        raise _not_seated() from None
    result[i], result[j] = result[j], result[i]
    return result


def move_to_rank(keys: Sequence[K], key: K, rank_order: int) -> list[K]:
    """The rank order with `key` taken out and put in at `rank_order` (1-based); those between
    its old and new place shift by one (a manual move on the presidium)."""
    result = list(keys)
    if key not in result:
        raise _not_seated()
    if not 1 <= rank_order <= len(result):
        raise SeatingError(_("There is no such rank in this row."), code="seating_rank")
    result.remove(key)
    result.insert(rank_order - 1, key)
    return result


def _not_seated() -> SeatingError:
    return SeatingError(_("This person is not among those seated."), code="seating_not_seated")


# --- the hall -----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Seat:
    """A seat of the hall: `row` 1 is the front row (nearest the presidium); `number` counts
    from the left as seen from the hall, across the whole row, aisles not counted."""

    row: int
    number: int

    def label(self) -> str:
        """As printed on a ticket or a table card: 3排12号."""
        return f"{self.row}排{self.number}号"


@dataclass(frozen=True)
class HallLayout:
    """The hall: `rows` rows, each cut by aisles into `blocks` (seats per block, left to right
    as seen from the hall). With `side_aisles` the outer ends of a row are on an aisle too
    (walkways along the walls); without, only the seats beside an inner aisle are."""

    rows: int
    blocks: tuple[int, ...]
    side_aisles: bool = True

    def __post_init__(self) -> None:
        if self.rows < 1 or not self.blocks or any(b < 1 for b in self.blocks):
            raise SeatingError(
                _("A hall needs at least one row and one block of seats."), code="seating_hall"
            )

    @property
    def seats_per_row(self) -> int:
        return sum(self.blocks)

    @property
    def capacity(self) -> int:
        return self.rows * self.seats_per_row

    def block_of(self, number: int) -> int:
        """The index (0 = the hall's left) of the block that seat `number` is in."""
        if not 1 <= number <= self.seats_per_row:
            raise _unknown_seat()
        end = 0
        for index, size in enumerate(self.blocks):
            end += size
            if number <= end:
                return index
        raise _unknown_seat()  # pragma: no cover (the range was checked)

    def block_range(self, block: int) -> range:
        """The seat numbers of block `block` (0-based from the hall's left)."""
        start = sum(self.blocks[:block]) + 1
        return range(start, start + self.blocks[block])

    def is_aisle(self, seat: Seat) -> bool:
        """Whether `seat` is beside an aisle."""
        block = self.block_of(seat.number)
        seats = self.block_range(block)
        left_open = block > 0 or self.side_aisles
        right_open = block < len(self.blocks) - 1 or self.side_aisles
        return (seat.number == seats.start and left_open) or (
            seat.number == seats.stop - 1 and right_open
        )

    def contains(self, seat: Seat) -> bool:
        return 1 <= seat.row <= self.rows and 1 <= seat.number <= self.seats_per_row

    def seats(self) -> list[Seat]:
        """Every seat, front row first, each row from the hall's left."""
        return [
            Seat(r, n) for r in range(1, self.rows + 1) for n in range(1, self.seats_per_row + 1)
        ]


def _unknown_seat() -> SeatingError:
    return SeatingError(_("There is no such seat in the hall."), code="seating_unknown_seat")


@dataclass(frozen=True)
class Zone:
    """A part of the hall filled with one group of occupants (a unit, the honourees, guests).

    rows: (first, last), inclusive; None for every row. blocks: block indexes (0 = the hall's
    left); empty for every block. fill: the order its seats are taken in —
    "rows": front row first, each row from the hall's left;
    "center": front row first, each row from its centre outwards in the order of the
      presidium's protocol (`presidium_positions` with `honour_side`): the seat No. 1 would
      have, then No. 2's, …;
    "aisle": the aisle seats first (front to back; in a row from the hall's left), then the
      others as "rows" — for the honourees, who leave their seats for the awarding.
    new_row_per_group: each group of occupants (see `HallOccupant.group`) starts on a row of
      its own within the zone (unit by unit), instead of right after the previous group
      (meant for the fills "rows" and "center").
    """

    key: str
    label: str = ""
    rows: tuple[int, int] | None = None
    blocks: tuple[int, ...] = ()
    fill: Fill = "rows"
    new_row_per_group: bool = False
    honour_side: HonourSide = DEFAULT_HONOUR_SIDE


@dataclass(frozen=True)
class HallOccupant(Generic[K]):
    """Someone to seat in the hall: `key` the caller's, `zone` the key of their `Zone`,
    `group` e.g. their unit (only used by `Zone.new_row_per_group`)."""

    key: K
    zone: str
    group: str = ""


@dataclass(frozen=True)
class HallPlan(Generic[K]):
    """Seats given: `seats` key → seat; `unseated` those for whom no seat was left in their
    zone, in the order given. `locked` the keys whose seats were kept as they were."""

    seats: Mapping[K, Seat]
    unseated: tuple[K, ...] = ()
    locked: frozenset[K] = field(default_factory=frozenset)

    def by_seat(self) -> dict[Seat, K]:
        return {seat: key for key, seat in self.seats.items()}

    def occupant(self, seat: Seat) -> K | None:
        return self.by_seat().get(seat)

    def ordered(self) -> list[tuple[Seat, K]]:
        """The seats taken, front row first, each row from the hall's left."""
        return sorted(((s, k) for k, s in self.seats.items()), key=lambda pair: pair[0])


def zone_seats(layout: HallLayout, zone: Zone) -> list[Seat]:
    """The seats of `zone` in the order they are filled (see `Zone.fill`)."""
    if zone.fill not in FILLS:
        raise SeatingError(_("Unknown way of filling a zone."), code="seating_fill")
    first, last = zone.rows or (1, layout.rows)
    if not 1 <= first <= last <= layout.rows:
        raise SeatingError(_("A zone lies outside the hall."), code="seating_zone")
    blocks = zone.blocks or tuple(range(len(layout.blocks)))
    if any(not 0 <= b < len(layout.blocks) for b in blocks):
        raise SeatingError(_("A zone lies outside the hall."), code="seating_zone")
    numbers = sorted({n for b in blocks for n in layout.block_range(b)})
    rows = range(first, last + 1)
    if zone.fill == "center":
        # each row as a presidium row: the seat of No. 1 first, then No. 2's, …
        positions = presidium_positions(len(numbers), zone.honour_side)
        numbers = [numbers[p - 1] for p in positions]
    seats = [Seat(r, n) for r in rows for n in numbers]
    if zone.fill == "aisle":
        seats = [s for s in seats if layout.is_aisle(s)] + [
            s for s in seats if not layout.is_aisle(s)
        ]
    return seats


def arrange_hall(
    layout: HallLayout,
    zones: Sequence[Zone],
    occupants: Iterable[HallOccupant[K]],
    locked: Mapping[K, Seat] | None = None,
) -> HallPlan[K]:
    """Seat `occupants` (in the order given: units in their order, people in rank order) in
    their zones, keeping the `locked` seats.

    Zones are filled in the order of `zones`; where zones overlap, a seat goes to the first
    zone that reaches it. A locked occupant keeps their seat whatever their zone; a lock for a
    key that is not among the occupants is let go (the seat is free again). Whoever finds no
    free seat in their zone is listed in `unseated`. An occupant of an unknown zone, a locked
    seat outside the hall or two keys locked on one seat are errors.
    """
    people = list(occupants)
    keys = [p.key for p in people]
    if len(set(keys)) != len(keys):
        raise SeatingError(_("A person is to be seated twice."), code="seating_duplicate")
    by_key = {z.key: z for z in zones}
    if len(by_key) != len(zones):
        raise SeatingError(_("Two zones have the same key."), code="seating_zone")
    for person in people:
        if person.zone not in by_key:
            raise SeatingError(
                _("A person is to be seated in a zone the hall does not have."),
                code="seating_unknown_zone",
            )
    present = set(keys)
    kept: dict[K, Seat] = {}
    taken: set[Seat] = set()
    for key, seat in (locked or {}).items():
        if key not in present:
            continue
        if not layout.contains(seat):
            raise _unknown_seat()
        if seat in taken:
            raise SeatingError(
                _("Two people are locked on the same seat."), code="seating_lock_clash"
            )
        kept[key] = seat
        taken.add(seat)
    seats: dict[K, Seat] = dict(kept)
    unseated: list[K] = []
    for zone in zones:
        members = [p for p in people if p.zone == zone.key and p.key not in kept]
        order = zone_seats(layout, zone)
        cursor = 0
        group: str | None = None
        last_row = 0
        for person in members:
            if zone.new_row_per_group and group is not None and person.group != group:
                # start the next group on a row of its own
                while cursor < len(order) and (
                    order[cursor].row <= last_row or order[cursor] in taken
                ):
                    cursor += 1
            group = person.group
            while cursor < len(order) and order[cursor] in taken:
                cursor += 1
            if cursor >= len(order):
                unseated.append(person.key)
                continue
            seat = order[cursor]
            seats[person.key] = seat
            taken.add(seat)
            last_row = seat.row
            cursor += 1
    ordered = {k: seats[k] for k in keys if k in seats}  # the occupants' order, for stability
    left_out = set(unseated)
    return HallPlan(
        seats=ordered,
        unseated=tuple(k for k in keys if k in left_out),
        locked=frozenset(kept),
    )


def move(
    layout: HallLayout,
    plan: HallPlan[K],
    key: K,
    seat: Seat,
    locked: Iterable[K] = (),
) -> HallPlan[K]:
    """A manual move: `key` goes to `seat`.

    A free seat is simply taken. A taken seat is swapped: its occupant goes to the mover's old
    seat (or, if the mover had none, joins the unseated). Neither the mover nor the occupant
    of the seat may be locked (`locked`, or `plan.locked`): unlock first. Moving someone to
    their own seat changes nothing.
    """
    if not layout.contains(seat):
        raise _unknown_seat()
    if key not in plan.seats and key not in plan.unseated:
        raise _not_seated()
    fixed = set(locked) | set(plan.locked)
    if plan.seats.get(key) == seat:
        return plan
    if key in fixed:
        raise SeatingError(
            _("This seat is locked. Unlock it before moving anyone."), code="seating_locked"
        )
    other = plan.by_seat().get(seat)
    if other is not None and other in fixed:
        raise SeatingError(
            _("This seat is locked. Unlock it before moving anyone."), code="seating_locked"
        )
    seats = dict(plan.seats)
    unseated = [k for k in plan.unseated if k != key]
    old = seats.get(key)
    seats[key] = seat
    if other is not None:
        if old is not None:
            seats[other] = old
        else:
            del seats[other]
            unseated.append(other)
    return HallPlan(seats=seats, unseated=tuple(unseated), locked=plan.locked)


def swap(
    layout: HallLayout, plan: HallPlan[K], a: K, b: K, locked: Iterable[K] = ()
) -> HallPlan[K]:
    """A manual swap of two seated people (`move` of `a` to `b`'s seat)."""
    if b not in plan.seats:
        raise _not_seated()
    return move(layout, plan, a, plan.seats[b], locked)


def unseat(plan: HallPlan[K], key: K) -> HallPlan[K]:
    """`key` leaves their seat (joins the unseated); a locked person stays."""
    if key in plan.locked:
        raise SeatingError(
            _("This seat is locked. Unlock it before moving anyone."), code="seating_locked"
        )
    if key not in plan.seats:
        return plan
    seats = {k: s for k, s in plan.seats.items() if k != key}
    return HallPlan(seats=seats, unseated=(*plan.unseated, key), locked=plan.locked)


# --- the awarding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardingSlot(Generic[K]):
    """Who presents to whom in a round: `order` the recipient's place in the order given
    (1 first), the spots counted from the left as seen from the hall (recipients in one row
    on the stage facing the hall, presenters facing them)."""

    order: int
    recipient: K
    presenter: K
    recipient_spot: int
    presenter_spot: int


def awarding_round(
    presenters: Sequence[K],
    recipients: Sequence[K],
    honour_side: HonourSide = DEFAULT_HONOUR_SIDE,
) -> list[AwardingSlot[K]]:
    """The standing order of one awarding round.

    Presenters (in rank order) stand in a row by the presidium's protocol; recipients (in the
    order of the decision's list) stand in a row by the same protocol, so that the first
    recipients are in the middle. The recipients' row, left to right as seen from the hall, is
    cut into as many runs of near-equal length as there are presenters going up (the longer
    runs on the hall's left, or on its right when the right is honoured); the presenter
    standing k-th from the left serves the k-th run, so that No. 1 of the presenters serves
    the first recipient. With more presenters than recipients only the first (by rank) go up,
    one per recipient. Deterministic; returned in the recipients' order.
    """
    if not presenters:
        raise SeatingError(_("A round of awarding needs someone to present."), code="seating_award")
    if len(set(presenters)) != len(presenters) or len(set(recipients)) != len(recipients):
        raise SeatingError(_("A person is to be seated twice."), code="seating_duplicate")
    runs = min(len(presenters), len(recipients)) or 1
    # who serves: the first `runs` presenters by rank (with more presenters than recipients
    # the lowest ranks stay back), standing in a row of their own by the protocol
    presenter_at = {s.position: s.key for s in seat_presidium(list(presenters[:runs]), honour_side)}
    recipient_spots = presidium_positions(len(recipients), honour_side)
    base, extra = divmod(len(recipients), runs)
    run_of: dict[int, int] = {}  # recipient spot → the run it falls in (0 = the hall's left)
    spot = 1
    for run in range(runs):
        # the longer runs on No. 1's side of the centre: the hall's left when the side of
        # honour is "left" (an even row puts No. 1 left of the centre as seen from the hall)
        longer = run < extra if honour_side == "left" else run >= runs - extra
        for _i in range(base + (1 if longer else 0)):
            run_of[spot] = run
            spot += 1
    slots: list[AwardingSlot[K]] = []
    for order, recipient in enumerate(recipients, start=1):
        spot = recipient_spots[order - 1]
        presenter_spot = run_of[spot] + 1
        slots.append(
            AwardingSlot(order, recipient, presenter_at[presenter_spot], spot, presenter_spot)
        )
    return slots
