{#- Passes when, wherever both are given, column_name and other_column differ by at most
    `points` (e.g. a computed percent and the percent an earlier report published). -#}
{% test within_points_of(model, column_name, other_column, points) %}
    select
        *,
        {{ column_name }} - {{ other_column }} as difference
    from {{ model }}
    where abs({{ column_name }} - {{ other_column }}) > {{ points }}
{% endtest %}
