{#- A percentage as a whole number, by CAREAUDIT_PERCENT_ROUNDING: half_up (the default; 69.5 -> 70)
    or truncate (as the 2022 report printed them; 95.8 -> 95). Percentages are never negative. -#}
{% macro whole_percent(expression) -%}
    {%- if percent_rounding() == 'truncate' -%}
        cast(floor({{ expression }}) as integer)
    {%- elif percent_rounding() == 'half_up' -%}
        cast(floor({{ expression }} + 0.5) as integer)
    {%- else -%}
        {{ exceptions.raise_compiler_error("CAREAUDIT_PERCENT_ROUNDING must be half_up or truncate, not " ~ percent_rounding()) }}
    {%- endif -%}
{%- endmacro %}
