"""Benchmark the .ics import: a 2,000-event file (Outlook-style custom zone, Google-style UTC times,
repeating series with exceptions and moved occurrences, all-day events), imported into an empty
calendar and then again unchanged. Targets (issue 10): first import <= 2 s, unchanged re-import <= 1 s.
Runs on a throwaway SQLite instance, or on HUB_BENCH_DATABASE_URL.

    .venv/bin/python bench/calendar_import.py [--events 2000] [--runs 3] [--reps 0]

--reps N adds N active reps (a few teams, one in ten wanting e-mail), so the import's notifications
(one per rep, in one bulk insert) are timed too.
"""
import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ZONE = """BEGIN:VTIMEZONE\r
TZID:Customized Time Zone\r
BEGIN:STANDARD\r
DTSTART:16010101T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""


def event(n):
    """One VEVENT (plus an override for some series) in the shapes the real clients write."""
    first = date(2027, 1, 1) + timedelta(days=n % 330)
    second, third = first + timedelta(days=7), first + timedelta(days=14)
    uid = f"bench-{n:05d}@example.com"
    common = (f"UID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Bench event {n}: a realistic title\r\n"
              f"DESCRIPTION:Talking points\\, links and who to call.\\nSecond line.\r\nLOCATION:Room {n % 40}\r\n")
    zone = "DTSTART;TZID=Customized Time Zone:"
    if n % 10 == 0:  # a weekly series in the custom zone, one skipped and one moved occurrence
        return (f"BEGIN:VEVENT\r\n{common}{zone}{first:%Y%m%d}T100000\r\n"
                f"DTEND;TZID=Customized Time Zone:{first:%Y%m%d}T110000\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\n"
                f"EXDATE;TZID=Customized Time Zone:{second:%Y%m%d}T100000\r\nEND:VEVENT\r\n"
                f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n"
                f"RECURRENCE-ID;TZID=Customized Time Zone:{third:%Y%m%d}T100000\r\n"
                f"{zone}{third:%Y%m%d}T140000\r\nDTEND;TZID=Customized Time Zone:{third:%Y%m%d}T150000\r\n"
                f"SUMMARY:Moved\r\nEND:VEVENT\r\n")
    if n % 7 == 0:
        return f"BEGIN:VEVENT\r\n{common}DTSTART;VALUE=DATE:{first:%Y%m%d}\r\nEND:VEVENT\r\n"
    return (f"BEGIN:VEVENT\r\n{common}DTSTART:{first:%Y%m%d}T{8 + n % 9:02d}0000Z\r\n"
            f"DURATION:PT1H\r\nCATEGORIES:Webinar\r\nEND:VEVENT\r\n")


def calendar_file(count):
    """`count` VEVENTs in all (a moved occurrence is a VEVENT of its own, as in the files clients write)."""
    blocks, total, n = [], 0, 0
    while total < count:
        if count - total == 1 and n % 10 == 0:
            n += 1  # room for one VEVENT only: not a series with its moved occurrence
        block = event(n)
        blocks.append(block)
        total += block.count("BEGIN:VEVENT")
        n += 1
    body = "".join(blocks)
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//EN\r\nX-WR-TIMEZONE:Europe/Berlin\r\n" + ZONE + body
            + "END:VCALENDAR\r\n").encode()


def timed(app, editor_id, data, reset):
    from hub.auth.models import User
    from hub.calendar import importer
    from hub.calendar.models import CalendarEntry
    from hub.extensions import db

    with app.app_context():
        if reset:
            from hub.whatsnew.models import Notification

            db.session.query(CalendarEntry).delete()
            db.session.query(Notification).delete()
            db.session.commit()
        editor = db.session.get(User, editor_id)
        start, cpu = time.perf_counter(), time.process_time()
        result = importer.import_ics(editor, data, kind="event", published=True)
        db.session.commit()
        return time.perf_counter() - start, time.process_time() - cpu, result


def add_reps(count):
    """`count` active reps in four teams, every tenth asking for calendar e-mails (rows inserted directly:
    creating users the usual way hashes a password each)."""
    from sqlalchemy import insert, select

    from hub.auth.models import User
    from hub.extensions import db
    from hub.whatsnew.models import MailChoice

    if not count:
        return
    teams = ["EMEA Enterprise", "US Mid-market", "APAC", ""]
    db.session.execute(insert(User), [{"email": f"rep{n}@example.com", "name": f"Rep {n}", "role": "sales",
                                       "team": teams[n % 4], "password_hash": "!", "active": True}
                                      for n in range(count)])
    ids = db.session.scalars(select(User.id).where(User.role == "sales").order_by(User.id)).all()
    db.session.execute(insert(MailChoice), [{"user_id": uid, "kind": "calendar"} for uid in ids[::10]])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reps", type=int, default=0, help="active reps to notify (default 0)")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="hub-bench-import-"))
    os.environ["HUB_INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from hub import create_app
    from hub.auth.services import create_user

    url = os.environ.get("HUB_BENCH_DATABASE_URL") or f"sqlite:///{instance / 'hub.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        editor_id = create_user("bench-marketing@example.com", "Bench Marketing", "marketing", "bench password 1").id
        from hub.extensions import db
        add_reps(args.reps)
        db.session.commit()
    data = calendar_file(args.events)
    firsts, agains = [], []
    for _ in range(args.runs):
        firsts.append(timed(app, editor_id, data, reset=True))
        agains.append(timed(app, editor_id, data, reset=False))
    first, again = min(firsts, key=lambda r: r[0]), min(agains, key=lambda r: r[0])
    print(f"import benchmark: {args.events} events ({len(data) / 1024:.0f} KB), best of {args.runs}, "
          f"{url.split(':')[0]}, {args.reps} reps")
    print(f"  first import     {first[0]:6.2f} s wall  {first[1]:6.2f} s CPU   {first[2].counts()}  (target <= 2 s)")
    print(f"  same file again  {again[0]:6.2f} s wall  {again[1]:6.2f} s CPU   {again[2].counts()}  (target <= 1 s)")
    if first[2].skipped:
        print(f"  skipped: {first[2].skipped[:3]}")
    ok = first[0] <= 2 and again[0] <= 1 and again[2].counts()[:2] == (0, 0)
    print("  targets met" if ok else "  TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
