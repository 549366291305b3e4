-- Every metric value the authority has for a period: computed from audits, published in an
-- earlier report (history without microdata), or both. Where both exist the computed counts
-- are kept and the published figure stays beside them for reconciliation; the whole percent
-- the authority reported is the published one where there is one.
with

computed as (
    select
        la_code,
        metric_id,
        time_period,
        time_identifier,
        numerator,
        denominator,
        percent,
        ci_lower,
        ci_upper
    from {{ ref('fct_metrics') }}
    where percent is not null
),

published as (
    select
        la_code,
        metric_id,
        time_period,
        time_identifier,
        published_percent
    from {{ ref('published_history') }}
),

metrics as (
    select
        metric_id,
        denominator_unit
    from {{ ref('dim_metrics') }}
),

combined as (
    select
        coalesce(computed.la_code, published.la_code) as la_code,
        coalesce(computed.metric_id, published.metric_id) as metric_id,
        coalesce(computed.time_period, published.time_period) as time_period,
        coalesce(computed.time_identifier, published.time_identifier) as time_identifier,
        computed.numerator,
        computed.denominator,
        coalesce(computed.percent, published.published_percent) as percent,
        computed.ci_lower,
        computed.ci_upper,
        published.published_percent,
        coalesce(
            published.published_percent, {{ whole_percent('computed.percent') }}
        ) as reported_percent,
        case when computed.percent is null then 'published' else 'computed' end as value_source
    from computed
    full outer join published
        on
            computed.la_code = published.la_code
            and computed.metric_id = published.metric_id
            and computed.time_period = published.time_period
            and computed.time_identifier = published.time_identifier
),

final as (
    select
        combined.*,
        metrics.denominator_unit
    from combined
    inner join metrics on combined.metric_id = metrics.metric_id
)

select * from final
