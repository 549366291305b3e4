-- The form versions the audits of each authority and period were on: in the whole period
-- (breakdown_topic total) and in each category of each breakdown topic. Disclosure control
-- needs them: a remainder no audit of a category's forms can be in is no remainder, and a
-- metric only some of a period's forms could record counts the audits of those forms only.
-- Grain: la_code x period x breakdown_topic x breakdown x form version.
with

audit_versions as (
    select * from {{ ref('int_audit_counts_by_form_version') }}
),

{{ audits_by_category(breakdown_topics()) }},

final as (
    select
        la_code,
        time_period,
        time_identifier,
        breakdown_topic,
        breakdown,
        form_version
    from category_versions
)

select * from final
