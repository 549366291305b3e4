{#- The counting both metric models share (int_metric_values_computed: the whole period;
    fct_metric_breakdowns: the whole period and each breakdown topic), emitted as CTEs after
    the model's own inputs, so the rule for which audits count lives once. The model defines
    `counts` (per-file metric counts), `audit_versions` (audits per form version), `availability`
    (int_metric_availability) and `metrics` (metric_id, section_id, numerator_rule,
    denominator_unit); `topics` is breakdown_topics() or part of it.
    Only audits whose form could record a metric count; a category none of whose audits could
    has no figures and says why (not recorded is not 0%). Ends with the CTE `counted`:
    la_code x period x metric x breakdown_topic x breakdown. -#}
{% macro metric_counts_by_category(topics) %}

-- The audits of each category the authority and period has audits in, per form version.
{{ audits_by_category(topics) }},

-- Per category and metric: audits on a form that could record it, the others, and why not.
category_availability as (
    select
        category_versions.la_code,
        category_versions.time_period,
        category_versions.time_identifier,
        category_versions.breakdown_topic,
        category_versions.breakdown,
        availability.metric_id,
        coalesce(sum(category_versions.audits) filter (where availability.is_available), 0)
            as audits_able_to_record,
        coalesce(sum(category_versions.audits) filter (where not availability.is_available), 0)
            as audits_not_able_to_record,
        string_agg(
            distinct availability.not_available_reason, '; '
            order by availability.not_available_reason
        ) filter (where not availability.is_available) as not_available_reason
    from category_versions
    inner join availability on category_versions.form_version = availability.form_version
    group by all
),

-- the files whose form could record the metric: a join per file, not per answer
recordable_counts as (
    select counts.*
    from counts
    inner join availability
        on
            counts.metric_id = availability.metric_id
            and counts.form_version = availability.form_version
    where availability.is_available
),

aggregated as (
    {%- for topic, categories in topics.items() %}
        select
            la_code,
            time_period,
            time_identifier,
            metric_id,
            '{{ topic }}' as breakdown_topic,
            {{ categories }} as breakdown,
            sum(numerator) as numerator,
            sum(denominator) as denominator,
            sum(missing_answers) as missing_answers
        from recordable_counts
        group by all
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

counted as (
    select
        category_availability.la_code,
        category_availability.time_period,
        category_availability.time_identifier,
        metrics.section_id,
        category_availability.metric_id,
        category_availability.breakdown_topic,
        category_availability.breakdown,
        metrics.denominator_unit,
        category_availability.not_available_reason,
        cast(category_availability.audits_not_able_to_record as integer)
            as audits_not_able_to_record,
        category_availability.audits_able_to_record > 0 as is_available,
        case
            when category_availability.audits_able_to_record > 0
                then cast(coalesce(aggregated.numerator, 0) as integer)
        end as numerator,
        case
            when category_availability.audits_able_to_record > 0
                then cast(coalesce(aggregated.missing_answers, 0) as integer)
        end as missing_answers,
        case
            when
                metrics.numerator_rule != 'count_audits'
                and category_availability.audits_able_to_record > 0
                then cast(coalesce(aggregated.denominator, 0) as integer)
        end as denominator
    from category_availability
    inner join metrics on category_availability.metric_id = metrics.metric_id
    left join aggregated
        on
            category_availability.la_code = aggregated.la_code
            and category_availability.time_period = aggregated.time_period
            and category_availability.time_identifier = aggregated.time_identifier
            and category_availability.metric_id = aggregated.metric_id
            and category_availability.breakdown_topic = aggregated.breakdown_topic
            and category_availability.breakdown = aggregated.breakdown
)
{% endmacro %}
