-- The annual report's outline and wording (seeds/catalogue/report_sentences.csv) as the report
-- reads it: one row per sentence, heading or chart in order, its metrics as a list, and an
-- empty template where the seed leaves a column blank.
with

sentences as (
    select * from {{ ref('report_sentences') }}
),

final as (
    select
        kind,
        section,
        breakdown_topic,
        cast(sort_order as integer) as sort_order,
        list_filter(
            list_transform(string_split(coalesce(metric_id, ''), '|'), lambda m: trim(m)),
            lambda m: m != ''
        ) as metric_ids,
        coalesce(text, '') as template,  -- noqa: RF04
        coalesce(text_if_all, '') as text_if_all,
        coalesce(comparison, '') as comparison,
        coalesce(first_comparison, '') as first_comparison,
        coalesce(not_recorded_before, '') as not_recorded_before
    from sentences
)

select * from final
