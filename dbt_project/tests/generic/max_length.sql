{#- Passes when no value of the column is longer than max_characters: labels that must fit a
    chart's axis or a published file's limit. -#}
{% test max_length(model, column_name, max_characters) %}
    select {{ column_name }}
    from {{ model }}
    where length({{ column_name }}) > {{ max_characters }}
{% endtest %}
