{{ section_fact('education') }}
