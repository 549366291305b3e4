-- The form versions the audits of each authority and period were on: in the whole period
-- (breakdown_topic total) and in each category of each breakdown topic. Disclosure control
-- needs them: a remainder no audit of a category's forms can be in is no remainder, and a
-- metric only some of a period's forms could record counts the audits of those forms only.
-- Grain: la_code x period x breakdown_topic x breakdown x form version.
with

audit_versions as (
    select
        la_code,
        time_period,
        time_identifier,
        form_version,
        coalesce(age_band, 'not_recorded') as age_band,
        coalesce(district_code, 'not_recorded') as district
    from {{ ref('int_audit_counts_by_form_version') }}
),

{#- the whole period, then each breakdown topic: the column that holds its categories #}
{%- set topics = {"total": "'total'", "age_band": "age_band", "district": "district"} %}

category_versions as (
    {%- for topic, categories in topics.items() %}
        select distinct
            la_code,
            time_period,
            time_identifier,
            '{{ topic }}' as breakdown_topic,
            {{ categories }} as breakdown,
            form_version
        from audit_versions
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from category_versions
