-- The districts audits are broken down by, per authority: the reference data (seed districts),
-- so a breakdown's label is always the reference's, never what an export's cell held.
with

districts as (
    select * from {{ ref('districts') }}
),

final as (
    select
        la_code,
        code as district_code,
        label as district_label,
        is_synthetic
    from districts
)

select * from final
