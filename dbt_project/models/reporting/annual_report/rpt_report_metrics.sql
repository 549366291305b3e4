-- The metric catalogue as the annual report needs it: every metric (whether or not any year
-- has a figure: the templates may name any) with its short label, whether a higher figure is
-- better, worse or neutral (the word a comparison uses and the colour of its bar) and the
-- report's order.
with

metrics as (
    select * from {{ ref('dim_metrics') }}
),

final as (
    select
        metric_id,
        section_id as section,
        label as metric_label,
        higher_is,
        report_order
    from metrics
)

select * from final
