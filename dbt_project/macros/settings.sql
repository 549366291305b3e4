{#- The careaudit settings SQL depends on, read from the same CAREAUDIT_* environment
    variables as the Python side (orchestration/settings.py), with the same defaults.
    Environment variables, not dbt vars: changing a var forces dbt to re-parse the whole
    project on every run. -#}
{% macro year_type() -%}
    {{ return(env_var('CAREAUDIT_YEAR_TYPE', 'calendar') | trim | lower) }}
{%- endmacro %}

{% macro percent_rounding() -%}
    {{ return(env_var('CAREAUDIT_PERCENT_ROUNDING', 'half_up') | trim | lower) }}
{%- endmacro %}
