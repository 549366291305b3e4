{#- The reporting period of a timestamp, by CAREAUDIT_YEAR_TYPE: "2022" for the calendar year,
    "202223" for the financial year April 2022 to March 2023 (DfE time_period formats). -#}
{% macro time_period(column) -%}
    {%- if year_type() == 'financial' -%}
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
    {%- elif year_type() == 'calendar' -%}
        cast(extract(year from {{ column }}) as varchar)
    {%- else -%}
        {{ exceptions.raise_compiler_error("CAREAUDIT_YEAR_TYPE must be calendar or financial, not " ~ year_type()) }}
    {%- endif -%}
{%- endmacro %}

{% macro time_identifier() -%}
    '{{ "Financial year" if year_type() == "financial" else "Calendar year" }}'
{%- endmacro %}
