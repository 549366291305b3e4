-- Every metric value the authority has for a period: computed from audits, published in an
-- earlier report (history without microdata), or both. Where both exist the computed counts
-- are kept and the published figure stays beside them for reconciliation; the whole percent
-- the authority reported is the published one where there is one. A computed period whose
-- audits' forms could not record the metric is kept without a value (is_available false), so
-- the trend marts show it as not available rather than skip it silently.
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
        ci_upper,
        reported_percent,
        is_available,
        audits_not_able_to_record,
        not_available_reason
    from {{ ref('int_metric_values_computed') }}
    where percent is not null or not is_available
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
        metrics.metric_id,
        bases.unit as denominator_unit
    from {{ ref('metrics') }} as metrics
    inner join {{ ref('metric_bases') }} as bases on metrics.basis = bases.basis
),

combined as (
    select
        computed.numerator,
        computed.denominator,
        computed.ci_lower,
        computed.ci_upper,
        published.published_percent,
        coalesce(computed.la_code, published.la_code) as la_code,
        coalesce(computed.metric_id, published.metric_id) as metric_id,
        coalesce(computed.time_period, published.time_period) as time_period,
        coalesce(computed.time_identifier, published.time_identifier) as time_identifier,
        coalesce(computed.percent, published.published_percent) as percent,
        coalesce(published.published_percent, computed.reported_percent) as reported_percent,
        case
            when computed.percent is null and published.published_percent is not null
                then 'published'
            else 'computed'
        end as value_source,
        coalesce(computed.is_available, true) or published.published_percent is not null
            as is_available,
        coalesce(computed.audits_not_able_to_record, 0) as audits_not_able_to_record,
        case
            when computed.percent is not null or published.published_percent is null
                then computed.not_available_reason
        end as not_available_reason
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
