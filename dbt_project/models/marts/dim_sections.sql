with

sections as (
    select * from {{ ref('form_sections') }}
),

final as (
    select
        section_id,
        section_title,
        sort_order
    from sections
)

select * from final
