-- Each metric's value in a period compared with every earlier period the authority has, not
-- only the previous one (the 2022 report compares with 2019 too): the change in points, and
-- whether it is statistically significant by a two-proportion z test at 5%. A comparison is
-- tested only where it can be honestly: both periods have counts (published history has
-- none), the metric is a proportion of audits (not a share of selections, several of which
-- come from one audit), and every cell of the 2x2 table holds at least 5 (the normal
-- approximation's rule of thumb). A period whose forms could not record the metric has no
-- value and is compared with nothing, in either direction.
-- Grain: la_code x metric x period x earlier period.
with

metric_values as (
    select * from {{ ref('int_metric_values_combined') }}
    where percent is not null
),

paired as (
    select
        current_values.la_code,
        current_values.time_period,
        current_values.time_identifier,
        current_values.metric_id,
        earlier_values.time_period as comparison_period,
        current_values.value_source,
        earlier_values.value_source as comparison_value_source,
        current_values.numerator,
        current_values.denominator,
        current_values.percent,
        current_values.reported_percent,
        earlier_values.numerator as comparison_numerator,
        earlier_values.denominator as comparison_denominator,
        earlier_values.percent as comparison_percent,
        earlier_values.reported_percent as comparison_reported_percent,
        earlier_values.ci_lower as comparison_ci_lower,
        earlier_values.ci_upper as comparison_ci_upper,
        current_values.percent - earlier_values.percent as change_points,
        current_values.reported_percent
        - earlier_values.reported_percent as reported_change_points,
        case
            when current_values.numerator is null or earlier_values.numerator is null
                then 'published_history_without_counts'
            when current_values.denominator_unit != 'audits'
                then 'selections_are_not_independent'
            when
                least(
                    current_values.numerator,
                    current_values.denominator - current_values.numerator,
                    earlier_values.numerator,
                    earlier_values.denominator - earlier_values.numerator
                ) < 5
                then 'fewer_than_5_in_a_cell'
        end as not_testable_reason,
        row_number() over (
            partition by
                current_values.la_code,
                current_values.metric_id,
                current_values.time_identifier,
                current_values.time_period
            order by earlier_values.time_period desc
        ) = 1 as is_previous_period
    from metric_values as current_values
    inner join metric_values as earlier_values
        on
            current_values.la_code = earlier_values.la_code
            and current_values.metric_id = earlier_values.metric_id
            and current_values.time_identifier = earlier_values.time_identifier
            and current_values.time_period > earlier_values.time_period
),

tested as (
    select
        *,
        case
            when not_testable_reason is null
                then {{ two_proportion_z(
                    'numerator', 'denominator', 'comparison_numerator', 'comparison_denominator'
                ) }}
        end as z_statistic
    from paired
),

final as (
    select
        *,
        {{ two_sided_normal_p('z_statistic') }} as p_value,
        case
            when not_testable_reason is not null then 'not_testable'
            when abs(z_statistic) >= {{ z_95() }} and z_statistic > 0 then 'significant_increase'
            when abs(z_statistic) >= {{ z_95() }} then 'significant_decrease'
            else 'not_significant'
        end as change_significance
    from tested
)

select * from final
