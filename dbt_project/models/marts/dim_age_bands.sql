-- The age bands audits are broken down by, in order (the answer options of age_band).
with

options as (
    select * from {{ ref('form_answer_options') }}
),

final as (
    select
        answer_code as age_band,
        answer_label as age_band_label,
        sort_order
    from options
    where question_id = 'age_band'
)

select * from final
