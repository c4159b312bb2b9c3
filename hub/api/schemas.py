"""What API v1 reads and answers, as pydantic models: the routes check their input against these and the
OpenAPI document (hub/api/spec.py) is generated from them, so the two cannot drift.

Input types call hub.validation, the rules the pages and forms use, so a value the API accepts is one the
services accept (they check it again with the same functions). Unknown body fields are refused."""
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from hub import validation
from hub.calendar import validation as calendar_validation
from hub.calendar.models import KINDS
from hub.calendar.models import STATUSES as ENTRY_STATUSES
from hub.config import Defaults
from hub.library.models import CONTENT_TYPES, STATUSES, FileVersion
from hub.models import LABEL_MAX, MAX_ID
from hub.usage.models import CHANNELS, OUTCOMES, REQUEST_STATUSES
from hub.usage.pitches import MAX_ITEMS as MAX_PITCH_ITEMS
from hub.whatsnew.models import KINDS as NOTIFICATION_KINDS

PER_PAGE, MAX_PER_PAGE = Defaults.API_PER_PAGE, Defaults.API_MAX_PER_PAGE
SEARCH_MAX_PER_PAGE = 50  # results carry snippets: a page of 50 is the most one search builds


def name_of(info):
    """The parameter's name as the caller writes it (`from_` is `from`)."""
    return info.field_name.rstrip("_")


def Text(limit, *, required=False, multiline=False, description=None):
    """Free text (hub.validation.text): control characters removed, trimmed, at most `limit` characters."""
    def check(value, info):
        return validation.text(value, name_of(info), limit, required=required, multiline=multiline)
    return Annotated[str, Field(max_length=limit, description=description), BeforeValidator(check)]


def Choice(values, description=None):
    return Annotated[Literal[tuple(values)], Field(description=description)]


def _id(value, info):
    return validation.row_id(value, name_of(info), text=False)


def _query_id(value, info):
    return None if value in (None, "") else validation.row_id(value, name_of(info))


def _page(value, info):
    return validation.page_number(value, name_of(info))


def _per_page(most):
    def check(value, info):
        return validation.page_number(value, name_of(info), most)
    return check


def _day(value, info):
    return validation.day(value, name_of(info))


Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_id)]
QueryId = Annotated[int | None, Field(ge=1, le=MAX_ID), BeforeValidator(_query_id)]
Day = Annotated[date | None, BeforeValidator(_day)]
Page = Annotated[int, Field(ge=1, le=validation.MAX_PAGE, description="Page number, from 1."), BeforeValidator(_page)]
Binary = Annotated[Any, WithJsonSchema({"type": "string", "format": "binary"})]


def PerPage(most):
    return Annotated[int, Field(ge=1, le=most, description=f"Items per page, at most {most}."),
                     BeforeValidator(_per_page(most))]


class Input(BaseModel):
    """A request body: unknown fields are refused."""
    model_config = ConfigDict(extra="forbid")


class Query(BaseModel):
    """Query parameters: others are ignored, as on the pages."""
    model_config = ConfigDict(extra="ignore")


class Paged(Query):
    page: Page = 1
    per_page: PerPage(MAX_PER_PAGE) = PER_PAGE


ABSENT = None  # the default of a field the caller may leave out


# --- errors and lists ---------------------------------------------------------------------------


class IdempotencyHeaders(BaseModel):
    """Headers of a create that honours Idempotency-Key (hub/api/idempotency.py)."""
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    idempotency_key: Annotated[str | None, Field(
        alias="Idempotency-Key", min_length=1, max_length=255,
        description="A retry with the same key and body gets the first answer again (Idempotent-Replayed: true) "
                    "instead of a duplicate; the key reused for another request is 422.")] = None


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class Error(BaseModel):
    """Every 4xx answer: {"error": {"code", "message", "field"?}}."""
    error: ErrorDetail


# --- stages, people, collateral -----------------------------------------------------------------


class Stage(BaseModel):
    slug: str
    name: str
    position: int


class StagePage(BaseModel):
    items: list[Stage]
    total: int
    page: int
    per_page: int


class User(BaseModel):
    id: int
    email: str
    name: str
    role: str
    team: str = Field(max_length=60, description='Free text, such as "EMEA Enterprise"; empty when none.')


class Version(BaseModel):
    number: int
    filename: str
    size: int
    sha256: str
    mimetype: str
    uploaded_at: datetime
    text_indexed: bool
    text_error: str | None
    text_status: Choice(FileVersion.TEXT_STATUSES, "Whether the file's text is in the search index: all of it, part of it (cut by "
                                       "the time or size budget) or none (it could not be read).")
    text_status_reason: str | None = Field(description="Why the text is partial or failed.")
    review_state: Choice(FileVersion.REVIEW_STATES, "accepted: may be served (the newest accepted version is the "
                                                    "current one); pending: waits for re-approval; rejected; "
                                                    "superseded: replaced while it waited.")


class Item(BaseModel):
    id: int
    title: str = Field(max_length=200)
    description: str = Field(max_length=10000)
    content_type: Choice(CONTENT_TYPES)
    stages: list[str]
    status: Choice(STATUSES)
    product: str = Field(max_length=LABEL_MAX)
    industry: str = Field(max_length=LABEL_MAX)
    persona: str = Field(max_length=LABEL_MAX)
    region: str = Field(max_length=LABEL_MAX)
    tags: list[str]
    expires_on: date | None
    url: str | None
    owner: str | None
    current_version: Version | None = Field(description="The version served to reps (the newest accepted one).")
    pending_version: Version | None = Field(description="A newer file waiting for re-approval (HUB_REQUIRE_REAPPROVAL); "
                                                        "always null for reps.")
    version_count: int
    download_url: str
    page_url: str
    created_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    items: list[Item]
    total: int
    page: int
    per_page: int


def _stages(value):
    """Stage slugs: a list, a repeated form field, or one comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, list):
        value = [s.strip() if isinstance(s, str) else s for v in value
                 for s in (v.split(",") if isinstance(v, str) else [v])]
        value = [s for s in value if s != ""]
    return value


Stages = Annotated[list[Annotated[str, Field(max_length=40)]], BeforeValidator(_stages),
                   Field(description="Stage slugs; repeat the field or separate with commas.")]


class ItemFields(Input):
    """An item's metadata as PATCH changes it (JSON or form fields); every field optional."""
    title: Text(200, required=True) = ABSENT
    description: Text(10000, multiline=True) = ABSENT
    content_type: Choice(CONTENT_TYPES) = ABSENT
    stages: Stages = ABSENT
    product: Text(LABEL_MAX) = ABSENT
    industry: Text(LABEL_MAX) = ABSENT
    persona: Text(LABEL_MAX) = ABSENT
    region: Text(LABEL_MAX) = ABSENT
    tags: Annotated[str | list[str], Field(description="Comma-separated (or a list).")] = ABSENT
    expires_on: Day = ABSENT
    url: Annotated[str | None, Field(max_length=2000, description="An external link, instead of a file.")] = ABSENT


class NewItem(ItemFields):
    """A new draft item from a file or a link (multipart form)."""
    title: Text(200, required=True)
    content_type: Choice(CONTENT_TYPES)
    stages: Stages
    file: Binary = ABSENT


class NewVersion(Input):
    file: Binary


class VersionDecision(Input):
    comment: Annotated[str, Field(max_length=1000)] = ""


class StatusChange(Input):
    status: Choice(STATUSES)
    comment: Annotated[str, Field(max_length=1000)] = ""


class CollateralQuery(Paged):
    stage: Annotated[str, Field(max_length=100, description="Stage slug.")] = ""
    status: Choice(STATUSES, "Workflow status (reps only ever see approved).") = ABSENT
    content_type: Choice(CONTENT_TYPES) = ABSENT
    product: Annotated[str, Field(max_length=100, description="Product, exact match.")] = ""


# --- search ---------------------------------------------------------------------------------------


class SearchQuery(Query):
    q: Annotated[str, Field(description='Words, "phrases", AND/OR/NOT, prefix*.')] = ""
    stage: str = ""
    content_type: Choice(CONTENT_TYPES) = ABSENT
    product: str = ""
    industry: str = ""
    persona: str = ""
    status: Choice(STATUSES, "Marketing and admins only.") = ABSENT
    sort: Literal["relevance", "newest"] = "relevance"
    clicked: Annotated[QueryId, Field(description="The id of the result the caller opened.")] = ABSENT
    page: Page = 1
    per_page: PerPage(SEARCH_MAX_PER_PAGE) = PER_PAGE


class SearchHit(BaseModel):
    id: int
    title: str
    score: float
    snippet: str
    highlights: list[str]
    stages: list[str]
    content_type: str
    status: str


class SearchResults(BaseModel):
    total: int
    page: int
    per_page: int
    query: str
    results: list[SearchHit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None


# --- health ---------------------------------------------------------------------------------------


class LastError(BaseModel):
    kind: str
    key: str | None
    message: str | None
    at: datetime | None


class Jobs(BaseModel):
    backlog: int
    by_kind: dict[str, int]
    failed: int
    oldest_queued_at: datetime | None
    oldest_age_seconds: float
    last_error: LastError | None


class Worker(BaseModel):
    name: str
    started_at: datetime | None
    seen_at: datetime | None
    jobs_done: int
    alive: bool


class IndexHealth(BaseModel):
    state: Literal["ok", "empty", "missing", "unreadable"]
    documents: int | None
    items: int
    pending: int
    rebuilding: bool
    answering: bool


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    jobs: Jobs
    workers: list[Worker]
    search: IndexHealth


# --- calendar -------------------------------------------------------------------------------------

MOMENT = "ISO 8601 with offset (timed) or YYYY-MM-DD (all-day; ends_at is the last day, inclusive)."
Moment = Annotated[str, Field(max_length=64, description=MOMENT)]
Label = Annotated[str, Field(max_length=LABEL_MAX)]


def _labels(value, info):
    return validation.labels(value, name_of(info), LABEL_MAX)


def _text_id(value, info):
    return validation.row_id(value, "collateral_ids", "Collateral ids must be whole numbers from 1 to 2147483647.")


Labels = Annotated[Annotated[list[Label], Field(max_length=20)] | str | None, BeforeValidator(_labels),
                   Field(description="Labels: a list, or one comma-separated string.")]
TextId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_text_id)]


class Override(BaseModel):
    recurrence_id: Moment
    starts_at: Moment
    ends_at: Moment


class EntryFields(BaseModel):
    title: str = Field(max_length=200)
    kind: Choice(KINDS)
    description: str = Field(max_length=20000)
    starts_at: Moment
    ends_at: Moment
    all_day: bool
    timezone: Annotated[str | None, Field(max_length=64, description="IANA name, e.g. America/New_York; null for all-day.")]
    location: str = Field(max_length=300)
    url: str | None = Field(max_length=2000)
    status: Choice(ENTRY_STATUSES)
    published: bool
    rrule: Annotated[str | None, Field(max_length=500, description=(
        "RFC 5545 RRULE text: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, COUNT or UNTIL, BYDAY, BYMONTHDAY, BYMONTH."))]
    exdates: Annotated[list[Moment], Field(max_length=500, description="Start times of occurrences to skip.")]
    overrides: Annotated[list[Override], Field(max_length=500, description="Occurrences moved to a new start and end.")]
    collateral_ids: Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID)]], Field(max_length=50)]
    products: Annotated[list[Label], Field(max_length=20)]
    audience: Annotated[list[Label], Field(max_length=20)]


class CalendarEntry(EntryFields):
    id: int
    uid: str
    sequence: int
    owner: str | None
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    page_url: str
    ics_url: str


class CalendarEntryInput(Input):
    """An entry as POST and PATCH read it (PATCH: only the fields that change); the calendar's own rules
    (hub.calendar.validation) check times, zones, repeat rules and links."""
    title: Text(200, required=True) = ABSENT
    kind: Choice(KINDS) = ABSENT
    description: Text(20000, multiline=True) = ABSENT
    starts_at: Moment | None = ABSENT
    ends_at: Moment | None = ABSENT
    all_day: bool | None = ABSENT
    timezone: Annotated[str | None, Field(max_length=64)] = ABSENT
    location: Text(300) = ABSENT
    url: Annotated[str | None, Field(max_length=2000)] = ABSENT
    status: Choice(ENTRY_STATUSES) = ABSENT
    published: bool | None = ABSENT
    rrule: Annotated[str | None, Field(max_length=500)] = ABSENT
    exdates: Annotated[list[Moment] | None, Field(max_length=500)] = ABSENT
    overrides: Annotated[list[Override] | None, Field(max_length=500)] = ABSENT
    collateral_ids: Annotated[list[TextId], Field(max_length=50)] | str | None = ABSENT
    products: Labels = ABSENT
    audience: Labels = ABSENT


class EntryPage(BaseModel):
    items: list[CalendarEntry]
    total: int
    page: int
    per_page: int


class EntryQuery(Paged):
    from_: Annotated[str, Field(alias="from", max_length=64,
                                description="Start of the window: YYYY-MM-DD (00:00 UTC) or ISO 8601 with offset.")] = ""
    to: Annotated[str, Field(max_length=64, description="End of the window (exclusive), same forms.")] = ""
    kind: Annotated[list[Choice(KINDS)], Field(description="Entry kind; repeat for several.")] = []
    product: Annotated[list[str], Field(description="Product label; repeatable.")] = []
    audience: Annotated[list[str], Field(description="Audience label; repeatable.")] = []
    status: Choice(ENTRY_STATUSES) = ABSENT


class SavedFeed(BaseModel):
    id: int
    name: str
    filters: dict[str, list[str]]
    https: str | None
    webcal: str | None
    google: str | None


class FeedLinks(BaseModel):
    https: str | None
    webcal: str | None
    google: str | None
    saved: list[SavedFeed]


def _form_bool(value, info):
    return calendar_validation.clean_bool(value, name_of(info))


class CalendarImport(Input):
    """An iCalendar file (multipart form) whose events are added or updated by UID."""
    file: Binary
    kind: Choice(KINDS, "The kind given to the imported entries.") = "other"
    published: Annotated[bool, BeforeValidator(_form_bool),
                         Field(description="Publish the imported entries (else they are drafts).")] = False


class SkippedEvent(BaseModel):
    uid: str
    reason: str


class ImportResult(BaseModel):
    added: int
    updated: int
    unchanged: int
    skipped: list[SkippedEvent]


# --- usage ----------------------------------------------------------------------------------------


class DealInput(Input):
    collateral_id: Id
    action: Literal["used_in_deal"]
    account: Text(120, required=True)
    opportunity: Annotated[str, Field(max_length=80, description="The CRM's reference: letters, digits and . _ : # -.")]
    stage: Annotated[str, Field(max_length=40, description="Stage slug.")]
    note: Text(500, multiline=True) = ""


class Deal(BaseModel):
    id: int
    collateral_id: int
    action: Literal["used_in_deal"]
    account: str
    opportunity: str
    outcome: Choice(OUTCOMES)
    stage: str
    note: str | None
    at: datetime


class UsageQuery(Paged):
    action: str = ""
    collateral_id: QueryId = ABSENT
    user_id: Annotated[QueryId, Field(description="Person (marketing and admins).")] = ABSENT


class UsageEvent(BaseModel):
    id: int
    at: datetime
    user_id: int | None
    action: str
    collateral_id: int | None
    version: int | None
    share_id: int | None
    stage: str | None
    account: str | None
    opportunity: str | None
    channel: Choice(CHANNELS)
    query: str | None
    result_count: int | None
    context: dict[str, Any] | None


class UsagePage(BaseModel):
    items: list[UsageEvent]
    total: None
    page: int
    per_page: int
    has_more: bool


class ShareInput(Input):
    recipient: Text(120, required=True)
    account: Text(120) = ""
    expires_on: Day = ABSENT
    allow_download: bool = False


class Share(BaseModel):
    id: int
    collateral_id: int
    recipient: str
    account: str | None
    expires_on: date | None
    allow_download: bool
    created_at: datetime
    revoked_at: datetime | None
    working: bool


class NewShare(Share):
    token: str = Field(description="Only in this answer.")
    url: str


class ShareWithOpens(Share):
    opens: int
    last_opened_at: datetime | None


class SharePage(BaseModel):
    items: list[ShareWithOpens]
    total: int
    page: int
    per_page: int


class PitchInput(Input):
    title: Text(120, required=True)
    message: Text(2000, multiline=True) = ""
    collateral_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_PITCH_ITEMS,
                                              description="Live items, in the order the prospect sees them.")]
    allow_download: bool = False
    expires_on: Day = ABSENT


class Pitch(BaseModel):
    id: int
    title: str
    message: str
    collateral_ids: list[int]
    allow_download: bool
    expires_on: date | None
    created_at: datetime
    revoked_at: datetime | None
    working: bool


class NewPitch(Pitch):
    url: str = Field(description="Only in this answer.")
    token: str = Field(description="Only in this answer.")


class ItemAttention(BaseModel):
    seconds: int = Field(description="Seconds the item's page was in view, as the prospect's browser reported them "
                                     "(at most 300 a report; per item at most 1800 s and 60 reports in any 10 minutes).")
    pages_seen: list[int] = Field(description="The distinct page numbers shown to the prospect, in order.")
    page_count: int = Field(description="The pages the item's viewer has now (0 when no page was seen or it has none).")


class PitchWithOpens(Pitch):
    opens: int
    last_opened_at: datetime | None
    item_opens: dict[str, int] = Field(description="Opens per item id.")
    item_attention: dict[str, ItemAttention] = Field(
        description="Per item id, for items with time in view or pages seen.")


class PitchPage(BaseModel):
    items: list[PitchWithOpens]
    total: int
    page: int
    per_page: int


class OutcomeInput(Input):
    outcome: Choice(OUTCOMES)


class Opportunity(BaseModel):
    ref: str
    account: str
    outcome: Choice(OUTCOMES)
    closed_at: datetime | None


class RatingInput(Input):
    collateral_id: Id
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Text(1000, multiline=True) = ""


class Rating(BaseModel):
    collateral_id: int
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: str
    updated_at: datetime


class Period(Query):
    from_: Annotated[Day, Field(alias="from", description="First day, YYYY-MM-DD.")] = ABSENT
    to: Annotated[Day, Field(description="Last day (inclusive), YYYY-MM-DD.")] = ABSENT


class ContentQuery(Period):
    stage: str = ""
    content_type: Choice(CONTENT_TYPES) = ABSENT
    product: str = ""
    team: Annotated[str, Field(description="Team of the people who used the items; an unknown team is a 422.")] = ""
    sort: Literal["views", "downloads", "shares", "share_opens", "deals", "unique_users", "rating", "win_rate",
                  "title"] = "views"


class ContentUsage(BaseModel):
    id: int
    title: str
    status: str
    views: int
    previews: int
    downloads: int
    shares: int
    share_opens: int
    deals: int
    unique_users: int
    rating: float | None
    ratings: int
    win_rate: float | None


class ContentReport(BaseModel):
    items: list[ContentUsage]
    overall_win_rate: float | None


class UnusedQuery(Query):
    days: Annotated[int, Field(ge=1, le=3650, description="Days, default 90."),
                    BeforeValidator(lambda v, info: validation.whole_number(v, "days", 1, 3650))] = 90


class UnusedItem(BaseModel):
    id: int
    title: str
    content_type: str
    product: str | None
    created_at: datetime
    last_used_at: datetime | None


class UnusedReport(BaseModel):
    days: int
    approved_total: int
    unused_total: int
    unused_share: float
    items: list[UnusedItem]


class StageUsage(BaseModel):
    slug: str
    name: str
    approved_items: int
    views: int
    downloads: int
    shares: int
    zero_result_searches: int


class StageReport(BaseModel):
    stages: list[StageUsage]


class AdoptionQuery(Query):
    weeks: Annotated[int, Field(ge=1, le=104, description="Weeks, default 12."),
                     BeforeValidator(lambda v, info: validation.whole_number(v, "weeks", 1, 104))] = 12


class RatingComment(BaseModel):
    collateral_id: int
    title: str
    stars: Annotated[int, Field(ge=1, le=5)]
    comment: str
    user: str | None = Field(description="The rater's name; null once the person is deleted.")
    rated_at: datetime


class FeedbackReport(BaseModel):
    items: list[RatingComment]


class RequestInput(Input):
    title: Text(200, required=True)
    stage: Annotated[str | None, Field(max_length=40, description="Stage slug.")] = ABSENT
    industry: Text(100) = ABSENT
    product: Text(100) = ABSENT
    why: Text(4000, multiline=True) = ABSENT
    needed_by: Day = ABSENT


class RequestChange(Input):
    """Marketing: status, reason, delivered_collateral_id. The requester: the details."""
    title: Text(200, required=True) = ABSENT
    stage: Annotated[str | None, Field(max_length=40)] = ABSENT
    industry: Text(100) = ABSENT
    product: Text(100) = ABSENT
    why: Text(4000, multiline=True) = ABSENT
    needed_by: Day = ABSENT
    status: Choice(REQUEST_STATUSES) = ABSENT
    reason: Text(1000, multiline=True) = ABSENT
    delivered_collateral_id: Annotated[int | None, Field(ge=1, le=MAX_ID)] = ABSENT


class ContentRequest(BaseModel):
    id: int
    title: str
    stage: str | None
    industry: str | None
    product: str | None
    why: str
    needed_by: date | None
    status: Choice(REQUEST_STATUSES)
    reason: str | None
    votes: int
    requester: str | None
    delivered_collateral_id: int | None
    created_at: datetime
    updated_at: datetime


class RequestPage(BaseModel):
    items: list[ContentRequest]
    total: int
    page: int
    per_page: int


class RequestQuery(Query):
    status: Choice(REQUEST_STATUSES) = ABSENT
    mine: Annotated[Literal["0", "1", "true", "false"], Field(description="1 for the caller's own.")] = "0"


class OpenAPIDocument(BaseModel):
    model_config = ConfigDict(extra="allow")
    openapi: str


class SearchInsights(BaseModel):
    """Top queries, queries with no results and queries where nothing was opened."""
    model_config = ConfigDict(extra="allow")
    searches: int
    zero_result_searches: int


class Adoption(BaseModel):
    """Active reps per week, calendar subscribers and their last poll."""
    model_config = ConfigDict(extra="allow")


# --- the weekly review (issue 15) ----------------------------------------------------------------


def _week(value, info):
    """An ISO week "YYYY-Www" (hub.usage.review.parse_week's rule: a 422 naming `week` otherwise)."""
    from hub.usage.review import parse_week

    return parse_week(value).label


class WeekQuery(Query):
    week: Annotated[str, Field(description="ISO 8601 week, YYYY-Www (e.g. 2026-W48); default the last full week.",
                               examples=["2026-W48"]), BeforeValidator(_week)] = ""


class ReviewItem(BaseModel):
    id: int
    title: str
    content_type: str
    change: Literal["Published", "Updated"]
    at: datetime


class ReviewPublished(BaseModel):
    published: int
    updated: int
    items: list[ReviewItem]


class ReviewEntry(BaseModel):
    title: str
    kind: str = Field(description="The entry's kind as people read it (e.g. 'Webinar').")
    starts_on: date
    starts_at: datetime | None = Field(description="Null for all-day entries.")
    url: str


class ReviewCalendar(BaseModel):
    first_on: date
    last_on: date
    entries: list[ReviewEntry]


class ZeroResultQuery(BaseModel):
    query: str
    searches: int
    avg_results: float


class ReviewSearches(BaseModel):
    searches: int
    zero_result_searches: int
    queries: list[ZeroResultQuery]


class ReviewRequest(BaseModel):
    id: int
    title: str
    status: str
    votes: int
    asked_on: date


class ReviewRequests(BaseModel):
    open: int = Field(description="Open, planned and in-progress requests, now.")
    asked: int
    delivered: int
    items: list[ReviewRequest]


class ReviewAdoptionWeek(BaseModel):
    week: str
    active_reps: int
    share_opens: int


class ReviewAdoption(BaseModel):
    active_reps: int
    total_reps: int
    share_opens: int
    shares: int
    weeks: list[ReviewAdoptionWeek]


class TrendPoint(BaseModel):
    week: str
    value: int


class ReviewGoal(BaseModel):
    metric: Literal["share_opens", "deal_items", "requests_delivered", "unused_share", "active_reps"]
    label: str
    direction: Literal["at_least", "at_most"]
    unit: Literal["", "%"]
    target: int | None = Field(description="Null: no goal set.")
    actual: int
    met: bool | None
    trend: list[TrendPoint] = Field(description="The last 8 weeks, oldest first, ending with this one.")


class WeeklyReview(BaseModel):
    """One ISO week side by side (UTC weeks): what was published, what is coming, what was used and won,
    what nobody used, searches that found nothing, open requests, adoption and the shared goals."""
    week: str
    starts_on: date
    ends_on: date
    previous_week: str
    next_week: str | None
    published: ReviewPublished
    calendar: ReviewCalendar
    most_used: list[ContentUsage]
    best_winning: list[ContentUsage]
    overall_win_rate: float | None
    unused: UnusedReport
    searches: ReviewSearches
    requests: ReviewRequests
    adoption: ReviewAdoption
    goals: list[ReviewGoal]

# --- what's new for me (issue 14) -----------------------------------------------------------------

class SavedItem(BaseModel):
    saved_at: datetime
    collateral: Item


class SavedPage(BaseModel):
    items: list[SavedItem]
    total: int
    page: int
    per_page: int


class Saved(BaseModel):
    collateral_id: int
    saved: bool = Field(description="True after PUT, false after DELETE (both idempotent).")


class NotificationsQuery(Query):
    unread: bool = Field(False, description="Only the unread ones.")


class Notification(BaseModel):
    id: int
    kind: Choice(NOTIFICATION_KINDS, "What changed: a request's status, a new version, an expiry within 7 days, "
                                     "a withdrawal, or a new calendar entry.")
    text: str
    url: str | None = Field(description="The page it is about.")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[Notification]
    total: int = Field(description="How many are listed (the newest 100 at most).")
    unread: int
    page: int
    per_page: int
