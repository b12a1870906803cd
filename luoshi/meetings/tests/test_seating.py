"""The seating protocol: the presidium for counts 1–15 and both sides of honour (rows written
out by hand, as seen from the hall), its rows, manual moves; the hall by zones with locks."""

from __future__ import annotations

import pytest

from luoshi.meetings import seating
from luoshi.meetings.seating import (
    HallLayout,
    HallOccupant,
    HallPlan,
    Seat,
    SeatingError,
    Zone,
)

# The rank order at each position, positions counted from the left AS SEEN FROM THE HALL.
# Side of honour "left" (the presidium's left = the hall's right): No. 2 to the right of No. 1
# on the chart. Written out by hand, not computed.
LEFT = {
    1: [1],
    2: [1, 2],
    3: [3, 1, 2],
    4: [3, 1, 2, 4],
    5: [5, 3, 1, 2, 4],
    6: [5, 3, 1, 2, 4, 6],
    7: [7, 5, 3, 1, 2, 4, 6],
    8: [7, 5, 3, 1, 2, 4, 6, 8],
    9: [9, 7, 5, 3, 1, 2, 4, 6, 8],
    10: [9, 7, 5, 3, 1, 2, 4, 6, 8, 10],
    11: [11, 9, 7, 5, 3, 1, 2, 4, 6, 8, 10],
    12: [11, 9, 7, 5, 3, 1, 2, 4, 6, 8, 10, 12],
    13: [13, 11, 9, 7, 5, 3, 1, 2, 4, 6, 8, 10, 12],
    14: [13, 11, 9, 7, 5, 3, 1, 2, 4, 6, 8, 10, 12, 14],
    15: [15, 13, 11, 9, 7, 5, 3, 1, 2, 4, 6, 8, 10, 12, 14],
}
# Side of honour "right" (the presidium's right = the hall's left): No. 2 to the left of No. 1.
RIGHT = {
    1: [1],
    2: [2, 1],
    3: [2, 1, 3],
    4: [4, 2, 1, 3],
    5: [4, 2, 1, 3, 5],
    6: [6, 4, 2, 1, 3, 5],
    7: [6, 4, 2, 1, 3, 5, 7],
    8: [8, 6, 4, 2, 1, 3, 5, 7],
    9: [8, 6, 4, 2, 1, 3, 5, 7, 9],
    10: [10, 8, 6, 4, 2, 1, 3, 5, 7, 9],
    11: [10, 8, 6, 4, 2, 1, 3, 5, 7, 9, 11],
    12: [12, 10, 8, 6, 4, 2, 1, 3, 5, 7, 9, 11],
    13: [12, 10, 8, 6, 4, 2, 1, 3, 5, 7, 9, 11, 13],
    14: [14, 12, 10, 8, 6, 4, 2, 1, 3, 5, 7, 9, 11, 13],
    15: [14, 12, 10, 8, 6, 4, 2, 1, 3, 5, 7, 9, 11, 13, 15],
}


@pytest.mark.parametrize("count", range(1, 16))
def test_the_presidium_row_as_seen_from_the_hall_honour_left(count: int) -> None:
    assert seating.presidium_order(count) == LEFT[count]
    assert seating.presidium_order(count, "left") == LEFT[count]


@pytest.mark.parametrize("count", range(1, 16))
def test_the_presidium_row_as_seen_from_the_hall_honour_right(count: int) -> None:
    assert seating.presidium_order(count, "right") == RIGHT[count]


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("count", range(1, 16))
def test_positions_are_the_inverse_of_the_order(count: int, side: seating.HonourSide) -> None:
    table = (LEFT if side == "left" else RIGHT)[count]
    positions = seating.presidium_positions(count, side)
    assert sorted(positions) == list(range(1, count + 1))
    for rank in range(1, count + 1):
        assert table[positions[rank - 1] - 1] == rank
        assert seating.position_of(rank, count, side) == positions[rank - 1]
        assert seating.rank_at(positions[rank - 1], count, side) == rank


@pytest.mark.parametrize("count", range(1, 16))
def test_the_protocol_in_words(count: int) -> None:
    """Odd: No. 1 in the centre; even: Nos. 1 and 2 in the two centre seats; No. 2 on No. 1's
    left (the presidium's left is the hall's right: a higher position), No. 3 on its right,
    each next rank one seat further out on alternating sides."""
    pos = seating.presidium_positions(count, "left")
    if count % 2:
        assert pos[0] == (count + 1) // 2
    else:
        assert {pos[0], pos[1]} == {count // 2, count // 2 + 1}
    if count >= 2:
        assert pos[1] == pos[0] + 1  # as seen from the hall, No. 2 right of No. 1
        assert seating.presidium_positions(count, "right")[1] == (
            seating.presidium_positions(count, "right")[0] - 1
        )
    if count >= 3:
        assert pos[2] == pos[0] - 1  # No. 3 on No. 1's right: left of it as seen from the hall
    for rank in range(4, count + 1):
        assert pos[rank - 1] == pos[rank - 3] + (1 if rank % 2 == 0 else -1)


def test_the_examples_of_the_docstrings() -> None:
    assert seating.presidium_positions(5) == [3, 4, 2, 5, 1]
    assert seating.presidium_order(7) == [7, 5, 3, 1, 2, 4, 6]
    assert seating.presidium_order(6, "right") == [6, 4, 2, 1, 3, 5]
    assert seating.presidium_order(0) == []


def test_a_bad_side_or_count_is_refused() -> None:
    with pytest.raises(SeatingError) as error:
        seating.presidium_order(3, "centre")  # type: ignore[arg-type]
    assert error.value.code == "seating_honour_side"
    with pytest.raises(SeatingError):
        seating.presidium_order(-1)
    with pytest.raises(SeatingError):
        seating.rank_at(4, 3)
    with pytest.raises(SeatingError):
        seating.position_of(0, 3)


def test_seat_presidium_gives_each_person_a_position_and_rank() -> None:
    seats = seating.seat_presidium(["chair", "vice1", "vice2", "vice3", "head"])
    assert [(s.position, s.key, s.rank_order) for s in seats] == [
        (1, "head", 5),
        (2, "vice2", 3),
        (3, "chair", 1),
        (4, "vice1", 2),
        (5, "vice3", 4),
    ]
    assert {s.row for s in seats} == {1}
    right = seating.seat_presidium(["chair", "vice1", "vice2", "vice3"], "right")
    assert [s.key for s in right] == ["vice3", "vice1", "chair", "vice2"]


def test_a_presidium_of_two_rows_seats_each_row_around_its_centre() -> None:
    keys = [f"p{i}" for i in range(1, 9)]  # p1 is No. 1
    seats = seating.seat_presidium(keys, row_sizes=[5, 3])
    front = [s.key for s in seats if s.row == 1]
    back = [s.key for s in seats if s.row == 2]
    assert front == ["p5", "p3", "p1", "p2", "p4"]
    assert back == ["p8", "p6", "p7"]  # ranks 6, 7, 8: 6 in the centre, 7 on its left
    assert [s.rank_order for s in seats if s.row == 2] == [8, 6, 7]
    assert seating.presidium_rank_for_seat(2, 3, 8, row_sizes=[5, 3]) == 7
    assert seating.presidium_rank_for_seat(1, 1, 8, row_sizes=[5, 3]) == 5
    with pytest.raises(SeatingError) as error:
        seating.seat_presidium(keys, row_sizes=[5, 2])
    assert error.value.code == "seating_presidium_rows"
    with pytest.raises(SeatingError):
        seating.presidium_rank_for_seat(3, 1, 8, row_sizes=[5, 3])


def test_a_person_twice_on_the_presidium_is_refused() -> None:
    with pytest.raises(SeatingError) as error:
        seating.seat_presidium(["a", "b", "a"])
    assert error.value.code == "seating_duplicate"


def test_manual_moves_on_the_presidium_change_the_rank_order() -> None:
    keys = ["a", "b", "c", "d"]
    assert seating.swap_ranks(keys, "a", "c") == ["c", "b", "a", "d"]
    assert seating.move_to_rank(keys, "d", 2) == ["a", "d", "b", "c"]
    assert seating.move_to_rank(keys, "a", 4) == ["b", "c", "d", "a"]
    assert keys == ["a", "b", "c", "d"]  # the input is left alone
    # a drop on position 1 (hall's left) of a row of four: that seat is No. 3's
    rank = seating.presidium_rank_for_seat(1, 1, 4)
    assert rank == 3
    moved = seating.move_to_rank(keys, "a", rank)
    assert moved == ["b", "c", "a", "d"]
    assert [s.key for s in seating.seat_presidium(moved)] == ["a", "b", "c", "d"]
    with pytest.raises(SeatingError):
        seating.swap_ranks(keys, "a", "z")
    with pytest.raises(SeatingError):
        seating.move_to_rank(keys, "a", 5)


# --- the hall -----------------------------------------------------------------------------------

# Three blocks (4 | 6 | 4) with side aisles, 5 rows.
HALL = HallLayout(rows=5, blocks=(4, 6, 4))


def test_the_hall_grid_counts_from_the_left_as_seen_from_the_hall() -> None:
    assert HALL.seats_per_row == 14
    assert HALL.capacity == 70
    assert HALL.block_of(1) == 0 and HALL.block_of(5) == 1 and HALL.block_of(14) == 2
    assert list(HALL.block_range(1)) == [5, 6, 7, 8, 9, 10]
    aisle = [n for n in range(1, 15) if HALL.is_aisle(Seat(1, n))]
    assert aisle == [1, 4, 5, 10, 11, 14]
    walled = HallLayout(rows=2, blocks=(4, 6, 4), side_aisles=False)
    assert [n for n in range(1, 15) if walled.is_aisle(Seat(1, n))] == [4, 5, 10, 11]
    assert Seat(3, 12).label() == "3排12号"
    assert HALL.seats()[:2] == [Seat(1, 1), Seat(1, 2)] and len(HALL.seats()) == 70
    with pytest.raises(SeatingError):
        HallLayout(rows=0, blocks=(3,))
    with pytest.raises(SeatingError):
        HALL.block_of(15)


def test_zone_fill_orders() -> None:
    small = HallLayout(rows=2, blocks=(2, 3, 2))
    rows = seating.zone_seats(small, Zone("a", blocks=(1,)))
    assert rows == [Seat(1, 3), Seat(1, 4), Seat(1, 5), Seat(2, 3), Seat(2, 4), Seat(2, 5)]
    center = seating.zone_seats(small, Zone("a", rows=(1, 1), fill="center"))
    # 7 seats as a presidium row: the centre (4), then the hall's right (5: the presidium's
    # left), then 3, …
    assert [s.number for s in center] == [4, 5, 3, 6, 2, 7, 1]
    center_right = seating.zone_seats(
        small, Zone("a", rows=(1, 1), fill="center", honour_side="right")
    )
    assert [s.number for s in center_right] == [4, 3, 5, 2, 6, 1, 7]
    even = seating.zone_seats(small, Zone("a", rows=(1, 1), blocks=(0, 1), fill="center"))
    assert [s.number for s in even] == [3, 4, 2, 5, 1]  # seats 1–5: centre 3
    pair = seating.zone_seats(small, Zone("a", rows=(1, 1), blocks=(0,), fill="center"))
    assert [s.number for s in pair] == [1, 2]  # as Nos. 1 and 2 of a presidium row of two
    five = seating.zone_seats(small, Zone("a", rows=(1, 1), blocks=(1, 2), fill="center"))
    assert [s.number for s in five] == [5, 6, 4, 7, 3]  # seats 3–7, centre 5
    aisle = seating.zone_seats(small, Zone("a", fill="aisle"))
    assert aisle[:12] == [
        Seat(1, 1), Seat(1, 2), Seat(1, 3), Seat(1, 5), Seat(1, 6), Seat(1, 7),
        Seat(2, 1), Seat(2, 2), Seat(2, 3), Seat(2, 5), Seat(2, 6), Seat(2, 7),
    ]  # fmt: skip
    assert aisle[12:] == [Seat(1, 4), Seat(2, 4)]
    with pytest.raises(SeatingError):
        seating.zone_seats(small, Zone("a", rows=(2, 3)))
    with pytest.raises(SeatingError):
        seating.zone_seats(small, Zone("a", blocks=(3,)))


def _people(prefix: str, count: int, zone: str, group: str = "") -> list[HallOccupant[str]]:
    return [HallOccupant(f"{prefix}{i}", zone, group or prefix) for i in range(1, count + 1)]


def test_the_hall_by_zones_honourees_on_the_aisle_then_units_in_their_order() -> None:
    zones = [
        Zone("honourees", label="受表彰人员", rows=(1, 1), fill="aisle"),
        Zone("units", label="各单位", rows=(1, 5)),
    ]
    honourees = _people("h", 3, "honourees")
    unit_a = _people("a", 5, "units", "A")
    unit_b = _people("b", 12, "units", "B")
    plan = seating.arrange_hall(HALL, zones, [*honourees, *unit_a, *unit_b])
    assert plan.unseated == ()
    assert [plan.seats[k.key] for k in honourees] == [Seat(1, 1), Seat(1, 4), Seat(1, 5)]
    # the units fill the front row's other seats from the hall's left, then row 2
    assert [plan.seats[k.key] for k in unit_a] == [
        Seat(1, 2), Seat(1, 3), Seat(1, 6), Seat(1, 7), Seat(1, 8),
    ]  # fmt: skip
    assert plan.seats["b1"] == Seat(1, 9)
    assert plan.seats["b6"] == Seat(1, 14)
    assert plan.seats["b7"] == Seat(2, 1)
    assert len(set(plan.seats.values())) == 20
    # the same input, the same seats
    assert seating.arrange_hall(HALL, zones, [*honourees, *unit_a, *unit_b]) == plan


def test_each_unit_on_rows_of_its_own() -> None:
    zones = [Zone("units", new_row_per_group=True)]
    people = [*_people("a", 3, "units", "A"), *_people("b", 16, "units", "B")]
    people += _people("c", 2, "units", "C")
    plan = seating.arrange_hall(HALL, zones, people)
    assert [plan.seats[f"a{i}"] for i in (1, 2, 3)] == [Seat(1, 1), Seat(1, 2), Seat(1, 3)]
    assert plan.seats["b1"] == Seat(2, 1)
    assert plan.seats["b14"] == Seat(2, 14)
    assert plan.seats["b15"] == Seat(3, 1) and plan.seats["b16"] == Seat(3, 2)
    assert plan.seats["c1"] == Seat(4, 1)


def test_locked_seats_are_kept_and_the_others_fill_around_them() -> None:
    zones = [Zone("units")]
    people = _people("a", 6, "units")
    locked = {"a3": Seat(1, 1), "a5": Seat(4, 7)}
    plan = seating.arrange_hall(HALL, zones, people, locked)
    assert plan.seats["a3"] == Seat(1, 1) and plan.seats["a5"] == Seat(4, 7)
    assert [plan.seats[k] for k in ("a1", "a2", "a4", "a6")] == [
        Seat(1, 2), Seat(1, 3), Seat(1, 4), Seat(1, 5),
    ]  # fmt: skip
    assert plan.locked == frozenset({"a3", "a5"})
    # a lock of someone no longer seated is let go
    plan = seating.arrange_hall(HALL, zones, people[:2], {"a9": Seat(1, 1)})
    assert plan.seats == {"a1": Seat(1, 1), "a2": Seat(1, 2)} and plan.locked == frozenset()
    # a locked person keeps their seat even outside their zone
    plan = seating.arrange_hall(HALL, [Zone("units", rows=(2, 2))], people[:2], {"a1": Seat(5, 1)})
    assert plan.seats == {"a1": Seat(5, 1), "a2": Seat(2, 1)}


def test_bad_locks_and_zones_are_refused() -> None:
    zones = [Zone("units")]
    people = _people("a", 2, "units")
    with pytest.raises(SeatingError) as error:
        seating.arrange_hall(HALL, zones, people, {"a1": Seat(6, 1)})
    assert error.value.code == "seating_unknown_seat"
    with pytest.raises(SeatingError) as error:
        seating.arrange_hall(HALL, zones, people, {"a1": Seat(1, 1), "a2": Seat(1, 1)})
    assert error.value.code == "seating_lock_clash"
    with pytest.raises(SeatingError) as error:
        seating.arrange_hall(HALL, zones, [HallOccupant("x", "nowhere")])
    assert error.value.code == "seating_unknown_zone"
    with pytest.raises(SeatingError):
        seating.arrange_hall(HALL, [*zones, Zone("units")], people)
    with pytest.raises(SeatingError):
        seating.arrange_hall(HALL, zones, [*people, people[0]])


def test_a_full_zone_leaves_the_rest_unseated_in_order() -> None:
    small = HallLayout(rows=1, blocks=(3,))
    plan = seating.arrange_hall(small, [Zone("z")], _people("a", 5, "z"), {"a5": Seat(1, 2)})
    assert plan.seats == {"a1": Seat(1, 1), "a2": Seat(1, 3), "a5": Seat(1, 2)}
    assert plan.unseated == ("a3", "a4")


def test_overlapping_zones_go_to_the_first_zone() -> None:
    zones = [Zone("front", rows=(1, 1)), Zone("all")]
    plan = seating.arrange_hall(HALL, zones, [*_people("f", 2, "front"), *_people("x", 2, "all")])
    assert plan.seats["x1"] == Seat(1, 3)


def _plan() -> HallPlan[str]:
    return seating.arrange_hall(HALL, [Zone("z")], _people("a", 4, "z"))


def test_a_move_to_a_free_seat_and_a_swap() -> None:
    plan = _plan()  # a1..a4 on 1-1..1-4
    moved = seating.move(HALL, plan, "a1", Seat(3, 3))
    assert moved.seats["a1"] == Seat(3, 3) and moved.occupant(Seat(1, 1)) is None
    swapped = seating.move(HALL, plan, "a1", Seat(1, 4))
    assert swapped.seats["a1"] == Seat(1, 4) and swapped.seats["a4"] == Seat(1, 1)
    assert seating.swap(HALL, plan, "a2", "a3").seats == {
        "a1": Seat(1, 1), "a2": Seat(1, 3), "a3": Seat(1, 2), "a4": Seat(1, 4),
    }  # fmt: skip
    assert seating.move(HALL, plan, "a2", Seat(1, 2)) == plan
    assert plan.seats["a1"] == Seat(1, 1)  # plans are values: the old one is unchanged


def test_moves_respect_locks() -> None:
    plan = seating.arrange_hall(HALL, [Zone("z")], _people("a", 3, "z"), {"a1": Seat(1, 1)})
    with pytest.raises(SeatingError) as error:
        seating.move(HALL, plan, "a2", Seat(1, 1))
    assert error.value.code == "seating_locked"
    with pytest.raises(SeatingError):
        seating.move(HALL, plan, "a1", Seat(2, 2))
    with pytest.raises(SeatingError):
        seating.move(HALL, plan, "a2", Seat(1, 3), locked=["a3"])
    with pytest.raises(SeatingError):
        seating.unseat(plan, "a1")
    with pytest.raises(SeatingError) as error:
        seating.move(HALL, plan, "a2", Seat(9, 9))
    assert error.value.code == "seating_unknown_seat"
    with pytest.raises(SeatingError) as error:
        seating.move(HALL, plan, "zz", Seat(2, 2))
    assert error.value.code == "seating_not_seated"


def test_the_unseated_can_be_moved_in_and_out() -> None:
    small = HallLayout(rows=1, blocks=(2,))
    plan = seating.arrange_hall(small, [Zone("z")], _people("a", 3, "z"))
    assert plan.unseated == ("a3",)
    # a3 takes a1's seat: a1 joins the unseated
    plan = seating.move(small, plan, "a3", Seat(1, 1))
    assert plan.seats == {"a3": Seat(1, 1), "a2": Seat(1, 2)} and plan.unseated == ("a1",)
    plan = seating.unseat(plan, "a2")
    assert plan.unseated == ("a1", "a2") and "a2" not in plan.seats
    plan = seating.move(small, plan, "a1", Seat(1, 2))
    assert plan.unseated == ("a2",)
    assert plan.ordered() == [(Seat(1, 1), "a3"), (Seat(1, 2), "a1")]


def test_a_600_seat_hall_is_deterministic() -> None:
    hall = HallLayout(rows=20, blocks=(8, 14, 8))
    zones = [
        Zone("honourees", rows=(1, 2), fill="aisle"),
        Zone("guests", rows=(1, 1), blocks=(1,), fill="center"),
        Zone("units", new_row_per_group=True),
    ]
    people = [*_people("h", 12, "honourees"), *_people("g", 6, "guests")]
    for unit in range(1, 20):
        people += _people(f"u{unit}-", 29, "units", f"unit{unit}")
    plan = seating.arrange_hall(hall, zones, people)
    assert len(plan.seats) + len(plan.unseated) == len(people)
    assert len(set(plan.seats.values())) == len(plan.seats)
    assert all(hall.is_aisle(plan.seats[f"h{i}"]) for i in range(1, 13))
    assert plan == seating.arrange_hall(hall, zones, people)


# --- the awarding -------------------------------------------------------------------------------


def _slots(presenters: list[str], recipients: list[str], side: seating.HonourSide = "left"):
    return [
        (s.recipient, s.recipient_spot, s.presenter, s.presenter_spot)
        for s in seating.awarding_round(presenters, recipients, side)
    ]


def test_awarding_one_presenter_to_a_row_of_recipients() -> None:
    # recipients by the protocol, as seen from the hall: r3 r1 r2
    assert _slots(["A"], ["r1", "r2", "r3"]) == [
        ("r1", 2, "A", 1),
        ("r2", 3, "A", 1),
        ("r3", 1, "A", 1),
    ]


def test_awarding_each_presenter_serves_the_recipients_in_front_of_them() -> None:
    # recipients 3 1 2 4 from the hall's left; presenters A (No. 1) at 1, B at 2
    assert _slots(["A", "B"], ["r1", "r2", "r3", "r4"]) == [
        ("r1", 2, "A", 1),
        ("r2", 3, "B", 2),
        ("r3", 1, "A", 1),
        ("r4", 4, "B", 2),
    ]
    # three and three: face to face, No. 1 to the first recipient in the middle
    assert _slots(["A", "B", "C"], ["r1", "r2", "r3"]) == [
        ("r1", 2, "A", 2),
        ("r2", 3, "B", 3),
        ("r3", 1, "C", 1),
    ]
    # two presenters, three recipients: the longer run on the left
    assert _slots(["A", "B"], ["r1", "r2", "r3"]) == [
        ("r1", 2, "A", 1),
        ("r2", 3, "B", 2),
        ("r3", 1, "A", 1),
    ]


def test_awarding_honouring_the_right_mirrors_the_rows() -> None:
    # recipients 2 1 3 from the hall's left; presenters B at 1, A at 2
    assert _slots(["A", "B"], ["r1", "r2", "r3"], "right") == [
        ("r1", 2, "A", 2),
        ("r2", 1, "B", 1),
        ("r3", 3, "A", 2),
    ]


def test_awarding_with_more_presenters_than_recipients_the_first_go_up() -> None:
    assert _slots(["A", "B", "C"], ["r1"]) == [("r1", 1, "A", 1)]
    assert seating.awarding_round(["A"], []) == []
    with pytest.raises(SeatingError):
        seating.awarding_round([], ["r1"])
    with pytest.raises(SeatingError):
        seating.awarding_round(["A"], ["r1", "r1"])
