-- The authorities whose rows the warehouse may hold: the register (seed authorities), with the
-- configured authority's row taken from the settings (CAREAUDIT_LA_CODE and the settings beside
-- it), so a single authority needs no register row and its settings win over one. Every name,
-- old code and region an output gives an authority comes from here.
with

register as (
    select * from {{ ref('authorities') }}
),

configured as (
    {{ configured_authority() }}
),

registered_others as (
    select
        la_code,
        old_la_code,
        la_name,
        region_code,
        region_name,
        is_synthetic,
        false as is_configured
    from register
    where la_code not in (select configured.la_code from configured)
),

configured_row as (
    select
        configured.la_code,
        configured.old_la_code,
        configured.la_name,
        configured.region_code,
        configured.region_name,
        coalesce(register.is_synthetic, false) as is_synthetic,
        true as is_configured
    from configured
    left join register on configured.la_code = register.la_code
),

final as (
    select * from registered_others
    union all
    select * from configured_row
)

select * from final
