-- New verdicts from the Arrow batch `rescored`.
update articles
set
    relevance = rescored.relevance,
    relevance_threshold = rescored.relevance_threshold,
    relevant = rescored.relevant,
    relevance_evidence = rescored.relevance_evidence,
    china_mentions = rescored.china_mentions,
    russia_mentions = rescored.russia_mentions
from rescored
where articles.canonical_url = rescored.canonical_url
