{#- The reporting period of a timestamp, by var('year_type'): "2022" for the calendar year,
    "202223" for the financial year April 2022 to March 2023 (DfE time_period formats). -#}
{% macro time_period(column) -%}
    {%- if var('year_type') == 'financial' -%}
        case
            when extract(month from {{ column }}) >= 4
                then concat(
                    cast(extract(year from {{ column }}) as varchar),
                    right(cast(extract(year from {{ column }}) + 1 as varchar), 2)
                )
            else concat(
                cast(extract(year from {{ column }}) - 1 as varchar),
                right(cast(extract(year from {{ column }}) as varchar), 2)
            )
        end
    {%- elif var('year_type') == 'calendar' -%}
        cast(extract(year from {{ column }}) as varchar)
    {%- else -%}
        {{ exceptions.raise_compiler_error("var year_type must be calendar or financial, not " ~ var('year_type')) }}
    {%- endif -%}
{%- endmacro %}

{% macro time_identifier() -%}
    '{{ "Financial year" if var("year_type") == "financial" else "Calendar year" }}'
{%- endmacro %}
