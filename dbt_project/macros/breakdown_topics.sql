{#- The breakdown topics, declared once: the whole period ('total') first, then each topic with
    the expression giving an audit's category from the columns int_audit_counts_by_form_version
    and int_metric_counts_by_file share (an audit without an answer is 'not_recorded', so the
    categories of a topic add up to the total). A new breakdown is a line here and its column
    upstream. -#}
{% macro breakdown_topics() %}
    {{ return({
        "total": "'total'",
        "age_band": "coalesce(age_band, 'not_recorded')",
        "district": "coalesce(district_code, 'not_recorded')",
    }) }}
{% endmacro %}

{#- The CTE `category_versions`: the audits of each category of each of `topics` per authority,
    period and form version, from the model's CTE `audit_versions` (rows of
    int_audit_counts_by_form_version). -#}
{% macro audits_by_category(topics) %}
category_versions as (
    {%- for topic, categories in topics.items() %}
        select
            la_code,
            time_period,
            time_identifier,
            '{{ topic }}' as breakdown_topic,
            {{ categories }} as breakdown,
            form_version,
            sum(audits) as audits
        from audit_versions
        group by all
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)
{% endmacro %}
