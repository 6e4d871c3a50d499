"""Response models of the JSON API, so that /openapi.json says what each endpoint returns."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Error(BaseModel):
    detail: str


class BodySpan(BaseModel):
    text: str
    start: int
    end: int


class ArticleSummary(BaseModel):
    id: str
    title: str | None
    outlet: str | None
    published: date | None
    source: str | None = None
    url: str | None = None
    words: int | None = None


class ArticlePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ArticleSummary]


class CopyOf(BaseModel):
    kind: str | None
    similarity: float | None
    origin: str
    origin_outlet: str | None
    origin_title: str | None


class ArticleDetail(BaseModel):
    id: str
    title: str | None
    outlet: str | None
    published: date | None
    source: str | None
    story: str | None
    copy_of: list[CopyOf]
    record: dict[str, Any] = Field(
        description="The whole `presslens analyze` record: body, removed blocks, actors with "
        "mentions, quotes, claims, times, designations, techniques (body offsets)."
    )


class SearchHit(BaseModel):
    id: str
    title: str | None
    outlet: str | None
    published: date | None
    score: float | None
    snippet: str
    match: BodySpan | None


class FacetCount(BaseModel):
    value: str | None
    count: int


class SearchResult(BaseModel):
    query: str
    total: int
    limit: int
    offset: int
    items: list[SearchHit]
    facets: dict[str, list[FacetCount]]


class StorySummary(BaseModel):
    story: str
    label: str | None
    first_published: date | None
    last_published: date | None
    size: int | None
    outlets: list[str] | None
    origin: str | None
    origin_title: str | None
    origin_outlet: str | None


class StoryOutlet(BaseModel):
    outlet: str
    first_published: date | None
    articles: int
    copies: int
    loaded_labels: int | None
    quotes: int | None
    titles: list[str | None]
    article_ids: list[str]


class StoryQuote(BaseModel):
    speaker: str | None
    text: str | None
    start: int | None


class StoryArticle(BaseModel):
    id: str
    title: str | None
    outlet: str
    published: date | None
    n: int | None
    copy_of: str | None
    copy_kind: str | None
    labels: list[str] | None
    quotes: list[StoryQuote] | None


class NarrativeArticle(BaseModel):
    id: str
    title: str | None
    outlet: str
    published: date | None
    story: str
    labels: list[str] | None


class StoryNarrative(BaseModel):
    narrative: str
    label: str | None
    articles: list[NarrativeArticle]


class StoryDetail(BaseModel):
    story: str
    label: str | None
    first_published: date | None
    last_published: date | None
    size: int | None
    origin: str | None
    outlets: list[StoryOutlet]
    articles: list[StoryArticle]
    narrative: StoryNarrative | None = None  # the same kind of story told by other outlets


class ActorSummary(BaseModel):
    key: str
    name: str | None
    type: str | None
    articles: int
    quotes: int


class ActorPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ActorSummary]


class ActorName(BaseModel):
    outlet: str
    name: str | None
    form: str | None
    count: int


class ActorPeriod(BaseModel):
    period: date | None
    outlet: str
    mentions: int


class ActorQuote(BaseModel):
    article: str
    title: str | None
    outlet: str
    published: date | None
    kind: str | None
    text: str | None
    start: int | None
    end: int | None
    cue: str | None


class ActorMention(BaseModel):
    article: str
    title: str | None
    outlet: str
    published: date | None
    text: str | None
    form: str | None
    start: int | None
    end: int | None


class ActorDetail(BaseModel):
    key: str
    name: str | None
    type: str | None
    articles: int
    roles: list[str]
    names_by_outlet: list[ActorName]
    over_time: list[ActorPeriod]
    quotes: list[ActorQuote]
    mentions: list[ActorMention]


class Narrative(BaseModel):
    narrative: str
    label: str | None
    frames: dict[str, Any] | None
    leading_actors: list[str] | None
    stories: int | None
    articles: int
    outlets: list[str]
    first_published: date | None
    last_published: date | None


class NarrativePeriod(BaseModel):
    period: date | None
    outlet: str | None
    articles: int


class NarrativeDetail(Narrative):
    trend: list[NarrativePeriod]


class TrendRow(BaseModel):
    period: date | None
    outlet: str | None
    item: str | None
    count: int


class LabelSpan(BaseModel):
    article: str
    start: int | None
    end: int | None
    text: str | None


class LabelRow(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    outlet: str
    refers_to: str | None
    term: str | None
    class_: str | None = Field(alias="class")
    count: int
    spans: list[LabelSpan]


class CopyRow(BaseModel):
    kind: str | None
    similarity: float | None
    containment: float | None
    edits: Any
    copy_: str = Field(alias="copy")
    copy_outlet: str | None
    copy_title: str | None
    copy_published: date | None
    origin: str
    origin_outlet: str | None
    origin_title: str | None
    origin_published: date | None


class NamedCount(BaseModel):
    name: str | None
    count: int
    key: str | None = None


class WeekCount(BaseModel):
    period: date | None
    articles: int


class Overview(BaseModel):
    counts: dict[str, Any]
    over_time: list[WeekCount]
    outlets: list[NamedCount]
    actors: list[NamedCount]
    techniques: list[NamedCount]
    labels: list[NamedCount]


class AnalyzeRequest(BaseModel):
    text: str = Field(min_length=1, description="The page text (at most 2 MB as UTF-8).")
    url: str | None = Field(None, max_length=2000, description="Where the page came from.")
