{#- A percentage as a whole number, by var('percent_rounding'): half_up (the default; 69.5 -> 70)
    or truncate (as the 2022 report printed them; 95.8 -> 95). Percentages are never negative. -#}
{% macro whole_percent(expression) -%}
    {%- if var('percent_rounding') == 'truncate' -%}
        cast(floor({{ expression }}) as integer)
    {%- elif var('percent_rounding') == 'half_up' -%}
        cast(floor({{ expression }} + 0.5) as integer)
    {%- else -%}
        {{ exceptions.raise_compiler_error("var percent_rounding must be half_up or truncate, not " ~ var('percent_rounding')) }}
    {%- endif -%}
{%- endmacro %}
