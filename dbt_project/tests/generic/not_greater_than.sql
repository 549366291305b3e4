{#- Passes when the column never exceeds another column of the same row (a numerator never
    exceeds its denominator). -#}
{% test not_greater_than(model, column_name, other_column) %}
    select {{ column_name }}, {{ other_column }}
    from {{ model }}
    where {{ column_name }} > {{ other_column }}
{% endtest %}
