-- Replayed articles from the Arrow batch `batch_articles` (judged again, or re-extracted and
-- judged) replace their stored text, metadata and judgements; who was a duplicate of whom, where
-- they came from and when they were fetched stay as they were.
update articles
set
    title = batch_articles.title,
    author = batch_articles.author,
    sitename = batch_articles.sitename,
    language = batch_articles.language,
    published_at = batch_articles.published_at,
    date_source = batch_articles.date_source,
    text = batch_articles.text,
    text_hash = batch_articles.text_hash,
    relevance = batch_articles.relevance,
    relevance_threshold = batch_articles.relevance_threshold,
    relevant = batch_articles.relevant,
    relevance_evidence = batch_articles.relevance_evidence,
    china_mentions = batch_articles.china_mentions,
    russia_mentions = batch_articles.russia_mentions,
    minhash = batch_articles.minhash,
    lead_minhash = batch_articles.lead_minhash,
    shingles = batch_articles.shingles,
    title_key = batch_articles.title_key
from batch_articles
where articles.canonical_url = batch_articles.canonical_url
