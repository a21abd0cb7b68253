"""Analytics over the query log and feedback: daily summary, unanswered clusters, per-article usage."""

from __future__ import annotations

from kb_service.services.analytics.articles import article_usage
from kb_service.services.analytics.clusters import QuestionCluster, cluster_questions
from kb_service.services.analytics.summary import summary
from kb_service.services.analytics.unanswered import unanswered

__all__ = ["QuestionCluster", "article_usage", "cluster_questions", "summary", "unanswered"]
